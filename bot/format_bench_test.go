package bot

import (
	"fmt"
	"testing"

	"github.com/calbot/calbot/calendar"
)

// BenchmarkFormatAgenda formats a busy day: 20 events, the sample day's
// mix of all-day, overnight and escaped ones repeated.
func BenchmarkFormatAgenda(b *testing.B) {
	sample := sampleDay()
	day := calendar.Day{Zone: sample.Zone, Date: sample.Date}
	for i := range 20 {
		ev := sample.Events[i%len(sample.Events)]
		ev.Title = fmt.Sprintf("%s %d", ev.Title, i)
		day.Events = append(day.Events, ev)
	}
	for _, lang := range []string{"en", "ru"} {
		b.Run(lang, func(b *testing.B) {
			for b.Loop() {
				if formatAgenda(lang, day) == "" {
					b.Fatal("empty agenda")
				}
			}
		})
	}
}
