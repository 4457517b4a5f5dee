package telegramfake

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const token = "123456:test-token"

var alice = User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "en"}

// newBot returns a tgbotapi client of srv whose requests end with ctx.
func newBot(t testing.TB, srv *Server, ctx context.Context) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(token, srv.Endpoint(), ctxClient{ctx})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return bot
}

// ctxClient sends every request with its context, the way a bot's
// cancellable polling loop does.
type ctxClient struct{ ctx context.Context }

func (c ctxClient) Do(r *http.Request) (*http.Response, error) {
	return http.DefaultClient.Do(r.WithContext(c.ctx))
}

// asAPIError returns err as a Bot API error, failing t if it is not one.
func asAPIError(t testing.TB, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want a *tgbotapi.Error", err)
	}
	return e
}

// waitPolling returns the channel of the getUpdates request waiting in srv
// once there is one other than prev.
func waitPolling(t testing.TB, srv *Server, prev chan struct{}) chan struct{} {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		srv.mu.Lock()
		poll, wake := srv.poll, srv.wake
		srv.mu.Unlock()
		if poll != nil && poll != prev {
			return poll
		}
		select {
		case <-wake:
		case <-deadline:
			t.Fatal("no getUpdates request is waiting")
		}
	}
}

func TestGetMe(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	if bot.Self.ID != 123456 || !bot.Self.IsBot || bot.Self.UserName != "calbot_test_bot" {
		t.Errorf("Self = %+v, want id 123456, a bot named calbot_test_bot", bot.Self)
	}
}

func TestRejectsWrongTokenAndUnknownMethods(t *testing.T) {
	srv := NewServer(token)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)

	_, err := tgbotapi.NewBotAPIWithClient("999:wrong", ts.URL+"/bot%s/%s", http.DefaultClient)
	if e := asAPIError(t, err); e.Code != 401 || e.Message != "Unauthorized" {
		t.Errorf("wrong token: error = %d %q, want 401 Unauthorized", e.Code, e.Message)
	}

	bot, err := tgbotapi.NewBotAPIWithClient(token, ts.URL+"/bot%s/%s", http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bot.MakeRequest("sendSticker", tgbotapi.Params{"chat_id": "1"})
	if e := asAPIError(t, err); e.Code != 404 || e.Message != "Not Found" {
		t.Errorf("unknown method: error = %d %q, want 404 Not Found", e.Code, e.Message)
	}
	if got := srv.Unexpected(); len(got) != 1 || got[0] != "sendSticker" {
		t.Errorf("Unexpected() = %q, want [sendSticker]", got)
	}
}

func TestUpdatesAreConfirmedByOffset(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	sent := srv.SendText(alice, Private(alice), "/start@calbot_test_bot hello")

	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(got) != 1 {
		t.Fatalf("GetUpdates = %d updates, %v; want 1", len(got), err)
	}
	m := got[0].Message
	if got[0].UpdateID != sent.UpdateID || m.Command() != "start" || m.CommandArguments() != "hello" ||
		m.Chat.Type != "private" || m.Chat.ID != alice.ID || m.From.LanguageCode != "en" {
		t.Errorf("update = %+v, message %+v; want /start from alice in her private chat", got[0], m)
	}

	// Not confirmed yet: delivered again.
	if again, _ := bot.GetUpdates(tgbotapi.UpdateConfig{}); len(again) != 1 {
		t.Errorf("unconfirmed update delivered %d times on the second poll, want 1", len(again))
	}
	next := tgbotapi.UpdateConfig{Offset: sent.UpdateID + 1}
	if rest, err := bot.GetUpdates(next); err != nil || len(rest) != 0 || srv.Pending() != 0 {
		t.Errorf("after confirming: GetUpdates = %d, %v, Pending() = %d; want none", len(rest), err, srv.Pending())
	}

	srv.Redeliver(sent)
	if again, err := bot.GetUpdates(next); err != nil || len(again) != 1 || again[0].UpdateID != sent.UpdateID {
		t.Errorf("after Redeliver: GetUpdates = %+v, %v; want update %d again", again, err, sent.UpdateID)
	}
	if rest, _ := bot.GetUpdates(next); len(rest) != 0 {
		t.Errorf("a redelivered update came %d more times, want once", len(rest))
	}
}

func TestLongPoll(t *testing.T) {
	srv := New(t, token)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bot := newBot(t, srv, ctx)

	type result struct {
		updates []tgbotapi.Update
		err     error
	}
	// poll starts a long poll confirming updates below offset and returns
	// once the server holds it.
	poll := func(offset int, prev chan struct{}) (chan result, chan struct{}) {
		ch := make(chan result, 1)
		go func() {
			u, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Timeout: 50})
			ch <- result{u, err}
		}()
		return ch, waitPolling(t, srv, prev)
	}
	wait := func(ch chan result) result {
		t.Helper()
		select {
		case r := <-ch:
			return r
		case <-time.After(5 * time.Second):
			t.Fatal("getUpdates did not return")
			return result{}
		}
	}

	ch, _ := poll(0, nil)
	upd := srv.SendText(alice, Private(alice), "hi")
	if r := wait(ch); r.err != nil || len(r.updates) != 1 {
		t.Fatalf("GetUpdates = %d updates, %v; want the update that arrived", len(r.updates), r.err)
	}
	offset := upd.UpdateID + 1

	first, firstPoll := poll(offset, nil)
	second, _ := poll(offset, firstPoll)
	if e := asAPIError(t, wait(first).err); e.Code != 409 || !strings.HasPrefix(e.Message, "Conflict: terminated by other getUpdates") {
		t.Errorf("first of two polls: error = %d %q, want 409 Conflict", e.Code, e.Message)
	}
	upd = srv.SendText(alice, Private(alice), "ends the second poll")
	if r := wait(second); r.err != nil || len(r.updates) != 1 {
		t.Fatalf("second poll = %d updates, %v; want 1", len(r.updates), r.err)
	}

	ch, _ = poll(upd.UpdateID+1, nil)
	cancel()
	if r := wait(ch); !errors.Is(r.err, context.Canceled) {
		t.Errorf("cancelled GetUpdates: error = %v, want context.Canceled", r.err)
	}
}

func TestCloseEndsLongPoll(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 50})
		done <- err
	}()
	waitPolling(t, srv, nil)
	srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close left a long poll running")
	}
}

func TestWebhook(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	srv.SetWebhook("https://old.example.com/hook")

	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != "https://old.example.com/hook" {
		t.Errorf("GetWebhookInfo = %+v, %v; want the webhook URL", info, err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	if e := asAPIError(t, err); e.Code != 409 {
		t.Errorf("GetUpdates with a webhook: error = %d %q, want 409", e.Code, e.Message)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatalf("deleteWebhook: %v", err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Errorf("GetUpdates after deleteWebhook: %v", err)
	}
}

func TestFailNext(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	srv.SendText(alice, Private(alice), "hi")
	srv.FailNext("sendMessage", 1, TooManyRequests(3))

	_, err := bot.Send(tgbotapi.NewMessage(alice.ID, "one"))
	if e := asAPIError(t, err); e.Code != 429 || e.RetryAfter != 3 || e.Message != "Too Many Requests: retry after 3" {
		t.Errorf("first send: error = %+v, want 429 retry after 3", e)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "two")); err != nil {
		t.Errorf("second send: %v", err)
	}
	if n, msgs := srv.Calls("sendMessage"), srv.Messages(alice.ID); n != 2 || len(msgs) != 1 || msgs[0].Text != "two" {
		t.Errorf("Calls = %d, Messages = %+v; want 2 calls and only \"two\" sent", n, msgs)
	}
}

func TestConcurrentSends(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	srv.SendText(alice, Private(alice), "hi")
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := bot.Send(tgbotapi.NewMessage(alice.ID, "x")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seen := map[int]bool{}
	for range 20 {
		seen[srv.WaitMessage(t, alice.ID, 5*time.Second).MessageID] = true
	}
	if len(seen) != 20 {
		t.Errorf("got %d distinct message ids, want 20", len(seen))
	}
}

func TestCancelledPollIsNotRejected(t *testing.T) {
	srv := NewServer(token)
	handled := make(chan string, 10)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.Handler().ServeHTTP(w, r)
		handled <- r.URL.Path
	}))
	t.Cleanup(ts.Close)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	bot, err := tgbotapi.NewBotAPIWithClient(token, ts.URL+"/bot%s/%s", ctxClient{ctx})
	if err != nil {
		t.Fatal(err)
	}
	<-handled // getMe

	go bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 50})
	waitPolling(t, srv, nil)
	cancel()
	select {
	case <-handled:
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled getUpdates handler did not return")
	}
	if got := srv.Rejected(); len(got) != 0 {
		t.Errorf("Rejected() = %q, want nothing after a cancelled poll", got)
	}
}
