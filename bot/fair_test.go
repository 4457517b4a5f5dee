package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/storage"
)

func message(id int, chat int64, chatType, text string) json.RawMessage {
	return raw(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"language_code":"en"},"chat":{"id":%d,"type":%q},"text":%q}}`,
		id, id, chat, chat, chatType, text))
}

func TestAcceptSharesFairly(t *testing.T) {
	type step struct {
		advance  time.Duration // before the batch
		queued   int           // the chat's updates already waiting or running
		n        int           // updates from the chat in one getUpdates
		chatType string        // default private
		text     string        // default /today
		want     int           // how many are kept
	}
	tests := []struct {
		name      string
		steps     []step
		wantWarns int
		wantDrops map[string]float64
	}{
		{"a burst of 10 passes, the 11th is dropped", []step{{n: 11, want: 10}}, 1, map[string]float64{dropRate: 1}},
		{"one more every 2 s", []step{{n: 10, want: 10}, {advance: 2 * time.Second, n: 3, want: 1}, {advance: 4 * time.Second, n: 3, want: 2}}, 2, map[string]float64{dropRate: 3}},
		{"told once per flood", []step{{n: 40, want: 10}, {n: 40}}, 1, map[string]float64{dropRate: 70}},
		{"queue cap", []step{{queued: 18, n: 5, want: 2}}, 1, map[string]float64{dropQueueFull: 3}},
		{"full queue drops group chatter silently", []step{{queued: 20, n: 3, chatType: "group", text: "hello all"}}, 0, map[string]float64{dropQueueFull: 3}},
		{"group chatter spends no rate", []step{{n: 15, chatType: "group", text: "hello all", want: 15}, {n: 10, chatType: "group", want: 10}}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			r := newRig(t, func(c *Config) { c.Metrics = NewMetrics(reg) })
			offset, warns := 1, 0
			for i, s := range tt.steps {
				r.clock.Advance(s.advance)
				chatType, text, chat := "private", "/today", alice.ID
				if s.chatType != "" {
					chatType, chat = s.chatType, -500
				}
				if s.text != "" {
					text = s.text
				}
				var raws []json.RawMessage
				for range s.n {
					raws = append(raws, message(offset+len(raws), chat, chatType, text))
				}
				batch, next, err := r.b.accept(context.Background(), raws, offset, func(int64) int { return s.queued })
				if err != nil {
					t.Fatal(err)
				}
				if len(batch) != s.want || next != offset+s.n {
					t.Errorf("step %d: kept %d of %d, offset %d; want %d kept, offset %d", i, len(batch), s.n, next, s.want, offset+s.n)
				}
				_, stored, _, _ := r.db.Inbox()
				if len(stored) != len(batch) {
					t.Errorf("step %d: stored %d updates, want only the %d kept", i, len(stored), len(batch))
				}
				for _, q := range stored {
					r.db.Dequeue(q.ID)
				}
				offset = next
				warns += len(r.b.fair.warnings())
			}
			if warns != tt.wantWarns {
				t.Errorf("slow-down notices = %d, want %d", warns, tt.wantWarns)
			}
			for _, reason := range []string{dropQueueFull, dropRate} {
				if got := counter(t, r.b.cfg.Metrics.drops.WithLabelValues(reason)); got != tt.wantDrops[reason] {
					t.Errorf("calbot_updates_dropped_total{reason=%q} = %v, want %v", reason, got, tt.wantDrops[reason])
				}
			}
			if logs := r.logs.String(); strings.Contains(logs, "hello all") {
				t.Error("a dropped update's text reached the log")
			}
		})
	}
}

// TestFloodDoesNotStarveOthers runs at default settings with the real
// clock: while boris floods 2,000 messages, carol's /today is answered as
// fast as alice's when nobody floods.
func TestFloodDoesNotStarveOthers(t *testing.T) {
	r := newRig(t, func(c *Config) {
		*c = Config{Token: c.Token, APIURL: c.APIURL, HTTPClient: &http.Client{}, Accounts: c.Accounts,
			Calendar: c.Calendar, Store: c.Store, CallbackKey: c.CallbackKey, EventKey: c.EventKey,
			Now: c.Now, Logger: c.Logger, GlobalRate: 30, ChatRate: 1}
	})
	r.start()
	// Each asks once, so that no reply waits for its own chat's pace.
	today := func(u telegramfake.User) time.Duration {
		t.Helper()
		sent := time.Now()
		r.tg.SendText(u, telegramfake.Private(u), "/today")
		if m := r.tg.WaitMessage(t, u.ID, waitFor); !strings.Contains(m.Text, "calendar today") {
			t.Fatalf("%s's /today = %q", u.FirstName, m.Text)
		}
		return time.Since(sent)
	}
	carol := telegramfake.User{ID: 1003, FirstName: "Carol", LanguageCode: "en"}
	r.b.cfg.Accounts.(accounts).emails[carol.ID] = "carol@example.com"
	if _, _, err := r.db.PutLink(storage.Link{ChatID: carol.ID, UserID: carol.ID, Email: "carol@example.com", RefreshToken: "1//x"}); err != nil {
		t.Fatal(err)
	}
	calm := today(alice)
	floodStart := time.Now()
	for i := range 2000 {
		r.tg.SendText(boris, telegramfake.Private(boris), fmt.Sprintf("/today %d", i))
	}
	flooded := today(carol)
	t.Logf("a /today: %v alone, %v during boris's flood", calm, flooded)
	// Telegram hands out boris's 2,000 updates before carol's: reading,
	// confirming and dropping them takes a fraction of a second (a few
	// seconds under -race on a busy machine). Without fair sharing carol
	// waits minutes: boris's replies are paced at one a second.
	if flooded > calm+8*time.Second {
		t.Errorf("carol's /today took %v during boris's flood, alice's %v without", flooded, calm)
	}
	eventually(t, "Telegram has every update confirmed", func() bool { return r.tg.Pending() == 0 })
	flood := time.Since(floodStart)
	_, stored, _, _ := r.db.Inbox()
	if len(stored) > 20 {
		t.Errorf("%d updates stored, want at most boris's cap of 20", len(stored))
	}
	slow := 0
	for _, m := range r.tg.Messages(boris.ID) {
		if strings.HasPrefix(m.Text, "Вы пишете быстрее") {
			slow++
		}
	}
	// Once per flood: a chat is told again only after an update of its was
	// let through, which its bucket allows once every 2s of the flood.
	if most := 1 + int(flood/(2*time.Second)); slow < 1 || slow > most {
		t.Errorf("boris was told to slow down %d times in a %v flood, want 1 to %d", slow, flood, most)
	}
}

func TestPerChatMemoryIsBounded(t *testing.T) {
	clock := newFakeClock()
	f := newFairness(clock, 10, 2*time.Second)
	for chat := range int64(3 * maxTracked) {
		u := updateFrom(chat)
		f.admit(u, chat, 0, 20)
	}
	if n := f.tracked(); n > maxTracked {
		t.Errorf("fairness remembers %d chats, want at most %d", n, maxTracked)
	}

	p := newPacer(clock, 0, 1)
	for chat := range int64(3 * maxPaced) {
		if err := p.wait(context.Background(), chat); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.next); n > maxPaced+1 {
		t.Errorf("the pacer remembers %d chats, want at most %d", n, maxPaced+1)
	}
}

func TestPacer(t *testing.T) {
	tests := []struct {
		name         string
		global, chat float64
		chats        []int64 // one message to each, in turn
		wantSleeps   []time.Duration
	}{
		{"one chat, one a second", 0, 1, []int64{1, 1, 1}, []time.Duration{0, 1050 * time.Millisecond, 1050 * time.Millisecond}},
		{"a group, one in 3 s", 0, 1, []int64{-5, -5}, []time.Duration{0, 3 * time.Second}},
		{"chats apart do not wait for each other", 0, 1, []int64{1, 2, 3}, []time.Duration{0, 0, 0}},
		{"overall 20 a second", 20, 0, []int64{1, 2, 3}, []time.Duration{0, 52500 * time.Microsecond, 52500 * time.Microsecond}},
		{"unpaced", 0, 0, []int64{1, 1, 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			p := newPacer(clock, tt.global, tt.chat)
			for _, c := range tt.chats {
				if err := p.wait(context.Background(), c); err != nil {
					t.Fatal(err)
				}
			}
			if got := clock.slept(); !slices.Equal(got, tt.wantSleeps) {
				t.Errorf("slept %v, want %v", got, tt.wantSleeps)
			}
		})
	}
}

func updateFrom(chat int64) tgbotapi.Update {
	return tgbotapi.Update{Message: &tgbotapi.Message{From: &tgbotapi.User{ID: chat}, Chat: &tgbotapi.Chat{ID: chat, Type: "private"}, Text: "/today"}}
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
