package bot

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/calendar/calendarfake"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

const rigToken = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"

var (
	rigCallbackKey = bytes.Repeat([]byte{1}, 32)
	rigEventKey    = bytes.Repeat([]byte{2}, 32)
	ann            = telegramfake.User{ID: 2001, FirstName: "Ann", LanguageCode: "en"}
	olga           = telegramfake.User{ID: 2002, FirstName: "Ольга", LanguageCode: "ru"}
	// rigNow is the bot's clock: Saturday 21 November 2026, 09:00 in Moscow.
	rigNow = time.Date(2026, 11, 21, 9, 0, 0, 0, moscow)
)

// rigAccounts links chats to accounts of the calendar fake, whose bearer
// token is the account's name. Methods the handlers under test must not
// call are left to the nil Accounts and panic.
type rigAccounts struct {
	Accounts
	mu     sync.Mutex
	linked map[int64]string
}

func (a *rigAccounts) Account(chatID int64) (storage.Link, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	email, ok := a.linked[chatID]
	if !ok {
		return storage.Link{}, oauth.ErrNotLinked
	}
	return storage.Link{ChatID: chatID, Email: email}, nil
}

func (a *rigAccounts) TokenSource(chatID int64) oauth2.TokenSource {
	l, err := a.Account(chatID)
	if err != nil {
		return tokenSourceFunc(func() (*oauth2.Token, error) { return nil, err })
	}
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: l.Email})
}

func (a *rigAccounts) ExpireToken(int64) {}

type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }

// handlerRig runs the bot's handlers one update at a time against the
// Telegram and Calendar fakes and a real database: no polling, no queue.
type handlerRig struct {
	t    *testing.T
	tg   *telegramfake.Server
	cal  *calendarfake.Server
	db   *storage.DB
	acct *rigAccounts
	bot  *Bot
}

func newHandlerRig(t *testing.T) *handlerRig {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "calbot.db"), bytes.Repeat([]byte{3}, 32), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &handlerRig{t: t, tg: telegramfake.New(t, rigToken), cal: calendarfake.New(t, nil), db: db, acct: &rigAccounts{linked: map[int64]string{}}}
	r.bot = New(Config{
		Token: rigToken, APIURL: r.tg.URL(),
		CallbackKey: rigCallbackKey, EventKey: rigEventKey,
		Accounts: r.acct, Calendar: calendar.New(r.cal.URL(), nil), Store: db,
		Now: func() time.Time { return rigNow },
	})
	if err := r.bot.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// email is the Google account the rig links u to.
func email(u telegramfake.User) string { return fmt.Sprintf("user%d@example.com", u.ID) }

// link links u's private chat to its Google account, a calendar in Moscow.
func (r *handlerRig) link(u telegramfake.User) {
	r.acct.mu.Lock()
	r.acct.linked[u.ID] = email(u)
	r.acct.mu.Unlock()
	r.cal.SetZone(email(u), "Europe/Moscow")
}

// handle runs one update to its end.
func (r *handlerRig) handle(u tgbotapi.Update) {
	r.t.Helper()
	r.bot.handle(context.Background(), u)
}

// say sends text as u in u's private chat and returns the bot's reply.
func (r *handlerRig) say(u telegramfake.User, text string) telegramfake.SentMessage {
	r.t.Helper()
	r.handle(r.tg.SendText(u, telegramfake.Private(u), text))
	return r.tg.WaitMessage(r.t, u.ID, time.Second)
}

// press presses a button with data under msg as u and returns the answer.
func (r *handlerRig) press(u telegramfake.User, msg telegramfake.SentMessage, data string) telegramfake.Answer {
	r.t.Helper()
	upd := r.tg.PressButton(u, msg, data)
	r.handle(upd)
	a, ok := r.tg.Answered(upd.CallbackQuery.ID)
	if !ok {
		r.t.Fatalf("callback %q was not answered", data)
	}
	return a
}

// quiet fails the test if the bot sent chatID anything more.
func (r *handlerRig) quiet(chatID int64) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if m, err := r.tg.NextMessage(ctx, chatID); err == nil {
		r.t.Errorf("the bot also sent %+v", m)
	}
}
