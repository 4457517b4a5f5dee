package bot

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	gcal "google.golang.org/api/calendar/v3"

	"github.com/calbot/calbot/bot/telegramfake"
)

const sampleEventID = "0123456789abcdefghijklmnop"

func TestSignCallback(t *testing.T) {
	data := signCallback(rigCallbackKey, 1001, 1001, undoPayload(sampleEventID))
	if len(data) > maxCallbackData {
		t.Errorf("undo data is %d bytes, over Telegram's 64", len(data))
	}
	if p, ok := openCallback(rigCallbackKey, 1001, 1001, data); !ok || p != undoPayload(sampleEventID) {
		t.Errorf("openCallback(signCallback(…)) = %q, %v", p, ok)
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] ^= 1
		return string(b)
	}
	tests := []struct {
		name       string
		chat, user int64
		data       string
		key        []byte
	}{
		{"other chat", 1002, 1001, data, rigCallbackKey},
		{"other user", 1001, 1002, data, rigCallbackKey},
		{"other key", 1001, 1001, data, rigEventKey},
		{"payload changed", 1001, 1001, flip(data, 7), rigCallbackKey},
		{"mac changed", 1001, 1001, flip(data, len(data)-3), rigCallbackKey},
		{"mac cut", 1001, 1001, data[:len(data)-1], rigCallbackKey},
		{"no mac", 1001, 1001, undoPayload(sampleEventID), rigCallbackKey},
		{"old unsigned format", 1001, 1001, "undo:" + strconv.FormatInt(1001, 36) + ":" + sampleEventID, rigCallbackKey},
		{"empty", 1001, 1001, "", rigCallbackKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, ok := openCallback(tt.key, tt.chat, tt.user, tt.data); ok {
				t.Errorf("openCallback(%q) = %q, accepted", tt.data, p)
			}
		})
	}
}

func TestParseUndo(t *testing.T) {
	if id, ok := parseUndo(undoPayload(sampleEventID)); !ok || id != sampleEventID {
		t.Errorf("parseUndo(undoPayload(%q)) = %q, %v", sampleEventID, id, ok)
	}
	for _, bad := range []string{"", "undo:", "undo:abcd", "undo:ABCDEFG", "undo:wxyz0123", "other:abcdef", "undo:1:abcdef", "undo:" + strings.Repeat("a", 33)} {
		if _, ok := parseUndo(bad); ok {
			t.Errorf("parseUndo(%q) accepted it", bad)
		}
	}
}

func FuzzParseUndo(f *testing.F) {
	f.Add(signCallback(rigCallbackKey, 1001, 1001, undoPayload(sampleEventID)))
	f.Add(undoPayload(sampleEventID))
	f.Add("undo:1:x")
	f.Fuzz(func(t *testing.T, s string) {
		if p, ok := openCallback(rigCallbackKey, 1001, 1001, s); ok && signCallback(rigCallbackKey, 1001, 1001, p) != s {
			t.Fatalf("openCallback(%q) = %q, which signs differently", s, p)
		}
		if id, ok := parseUndo(s); ok && undoPayload(id) != s {
			t.Fatalf("parseUndo(%q) = %q, which encodes differently", s, id)
		}
		d := signCallback(rigCallbackKey, 1001, 1001, s)
		if p, ok := openCallback(rigCallbackKey, 1001, 1001, d); !ok || p != s {
			t.Fatalf("openCallback(signCallback(%q)) = %q, %v", s, p, ok)
		}
		if _, ok := openCallback(rigCallbackKey, 1001, 1002, d); ok {
			t.Fatalf("data signed for user 1001 opened for user 1002: %q", d)
		}
	})
}

// TestUndoPresses: only a press of a button the bot made, by its user, in
// its chat, while the button is still there, deletes anything, and only an
// event carrying the chat's marker.
func TestUndoPresses(t *testing.T) {
	r := newHandlerRig(t)
	r.link(ann)
	r.link(olga)
	added := r.say(ann, "/add Lunch tomorrow 13:00")
	undo, ok := added.Button(text("en", msgUndoButton))
	if !ok || undo.CallbackData == nil {
		t.Fatalf("/add reply has no Undo button: %+v", added.Markup)
	}
	data := *undo.CallbackData
	if len(data) > maxCallbackData {
		t.Errorf("Undo data is %d bytes", len(data))
	}
	r.say(olga, "/help")
	group := telegramfake.Group(-5001, "Team")
	r.handle(r.tg.SendText(ann, group, "/today"))
	inGroup := r.tg.WaitMessage(t, group.ID, time.Second)
	// A foreign event, and a button the bot never made but that is signed
	// right and shown on a message: only the marker stops that press.
	r.cal.Add(email(ann), &gcal.Event{Id: "foreign01", Summary: "Foreign",
		Start: &gcal.EventDateTime{Date: "2026-11-22"}, End: &gcal.EventDateTime{Date: "2026-11-23"}})
	foreignData := signCallback(rigCallbackKey, ann.ID, ann.ID, undoPayload("foreign01"))
	fabricated := telegramfake.SentMessage{ChatID: ann.ID, MessageID: 999, Text: "Added Foreign",
		Markup: &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{{tgbotapi.NewInlineKeyboardButtonData("Undo", foreignData)}}}}
	withForged := func(d string) telegramfake.SentMessage {
		m := fabricated
		m.Markup = &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{{tgbotapi.NewInlineKeyboardButtonData("Undo", d)}}}
		return m
	}
	lunch := func() *gcal.Event {
		for _, e := range r.cal.Events(email(ann)) {
			if e.Summary == "Lunch" {
				return e
			}
		}
		t.Fatal("no Lunch in the calendar")
		return nil
	}
	forged := signCallback(rigEventKey, ann.ID, ann.ID, undoPayload(lunch().Id)) // under the wrong key

	steps := []struct {
		name    string
		user    telegramfake.User
		msg     telegramfake.SentMessage
		data    string
		want    msg
		deleted bool // Lunch is deleted after this press
		google  bool // the press may call Google
	}{
		{"forged mac", ann, withForged(forged), forged, msgButtonInvalid, false, false},
		{"data cut", ann, withForged(data[:len(data)-2]), data[:len(data)-2], msgButtonInvalid, false, false},
		{"old unsigned format", ann, withForged("undo:1jt:" + lunch().Id), "undo:1jt:" + lunch().Id, msgButtonInvalid, false, false},
		{"another user in the chat", olga, added, data, msgUndoNotYours, false, false},
		{"in a group", ann, inGroup, signCallback(rigCallbackKey, group.ID, ann.ID, undoPayload(lunch().Id)), msgButtonInvalid, false, false},
		{"not on the message", ann, withForged("x"), data, msgButtonInvalid, false, false},
		{"event without marker", ann, fabricated, foreignData, msgUndoNotOurs, false, true},
		{"genuine", ann, added, data, msgUndoneToast, true, true},
		{"replayed after undo", ann, added, data, msgButtonInvalid, true, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			calls := r.cal.Requests("get") + r.cal.Requests("delete")
			a := r.press(s.user, s.msg, s.data)
			if want := text(langOf(s.user.LanguageCode), s.want); a.Text != want {
				t.Errorf("answer = %q, want %q", a.Text, want)
			}
			if deleted := lunch().Status == "cancelled"; deleted != s.deleted {
				t.Errorf("Lunch deleted = %v, want %v", deleted, s.deleted)
			}
			if n := r.cal.Requests("get") + r.cal.Requests("delete") - calls; n > 0 && !s.google {
				t.Errorf("the press made %d calendar requests, want none", n)
			}
		})
	}
	for _, e := range r.cal.Events(email(ann)) {
		if e.Id == "foreign01" && e.Status == "cancelled" {
			t.Error("a press deleted an event calbot did not create")
		}
	}
	if m, _ := r.tg.Message(ann.ID, added.MessageID); !strings.Contains(m.Text, text("en", msgUndone)) || m.Markup != nil {
		t.Errorf("after Undo the message = %+v, want it marked undone without buttons", m)
	}
	if rej := r.tg.Rejected(); len(rej) > 0 {
		t.Errorf("Telegram rejected: %q", rej)
	}
}
