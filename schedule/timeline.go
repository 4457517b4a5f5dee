package schedule

import (
	"container/heap"
	"strconv"
	"time"
)

// entry is a moment the loop must look at a chat: to read it, or to hand
// its due items. gen invalidates entries superseded by a newer plan.
type entry struct {
	at   time.Time
	chat int64
	read bool
	gen  uint64
}

// timeline is a min-heap of entries by at.
type timeline []entry

func (t timeline) Len() int           { return len(t) }
func (t timeline) Less(i, j int) bool { return t[i].at.Before(t[j].at) }
func (t timeline) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *timeline) Push(x any)        { *t = append(*t, x.(entry)) }
func (t *timeline) Pop() any {
	old := *t
	e := old[len(old)-1]
	*t = old[:len(old)-1]
	return e
}
func (t *timeline) push(e entry) { heap.Push(t, e) }
func (t timeline) peek() entry   { return t[0] }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
