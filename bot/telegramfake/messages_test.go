package telegramfake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"
)

func keyboard(buttons ...tgbotapi.InlineKeyboardButton) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(buttons)
}

func loginButton(u string) tgbotapi.InlineKeyboardButton {
	return tgbotapi.InlineKeyboardButton{Text: "Connect", LoginURL: &tgbotapi.LoginURL{URL: u}}
}

func TestSendMessageValidation(t *testing.T) {
	html := func(text string) tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(alice.ID, text)
		m.ParseMode = tgbotapi.ModeHTML
		return m
	}
	withMarkup := func(k tgbotapi.InlineKeyboardMarkup) tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(alice.ID, "pick")
		m.ReplyMarkup = k
		return m
	}
	replyTo := func(id int) tgbotapi.MessageConfig {
		m := tgbotapi.NewMessage(alice.ID, "re")
		m.ReplyToMessageID = id
		return m
	}
	tests := []struct {
		name string
		msg  tgbotapi.MessageConfig
		want string // error description, "" for success
	}{
		{"html", html("<b>Today</b> &lt;3"), ""},
		{"empty text", tgbotapi.NewMessage(alice.ID, ""), "Bad Request: message text is empty"},
		{"too long", tgbotapi.NewMessage(alice.ID, strings.Repeat("a", 4097)), "Bad Request: message is too long"},
		{"unescaped less-than", html("a <b"), "Bad Request: can't parse entities: Unclosed start tag at byte offset 2"},
		{"unescaped ampersand", html("Q&A"), `Bad Request: can't parse entities: Unescaped "&" at byte offset 1 (telegramfake requires &amp;)`},
		{"unknown chat", tgbotapi.NewMessage(42, "hi"), "Bad Request: chat not found"},
		{"callback button", withMarkup(keyboard(tgbotapi.NewInlineKeyboardButtonData("Delete", "del:1"))), ""},
		{"url button", withMarkup(keyboard(tgbotapi.NewInlineKeyboardButtonURL("Open", "https://calbot.example.com/oauth/start"))), ""},
		{"localhost url", withMarkup(keyboard(tgbotapi.NewInlineKeyboardButtonURL("Open", "http://localhost:8080/x"))), "Bad Request: BUTTON_URL_INVALID"},
		{"login_url button", withMarkup(keyboard(loginButton("https://calbot.example.com/oauth/start?state=s"))), ""},
		{"login_url over http", withMarkup(keyboard(loginButton("http://calbot.example.com/oauth/start"))), "Bad Request: BUTTON_URL_INVALID"},
		{"login_url to localhost", withMarkup(keyboard(loginButton("https://localhost:8443/oauth/start"))), "Bad Request: BUTTON_URL_INVALID"},
		{"long callback data", withMarkup(keyboard(tgbotapi.NewInlineKeyboardButtonData("Delete", strings.Repeat("x", 65)))), "Bad Request: BUTTON_DATA_INVALID"},
		{"text-only button", withMarkup(keyboard(tgbotapi.InlineKeyboardButton{Text: "?"})), "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"reply to missing message", replyTo(999), "Bad Request: message to be replied not found"},
		{"reply to user message", replyTo(1), ""},
	}
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	srv.SendText(alice, Private(alice), "hi")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bot.Send(tt.msg)
			got := ""
			if err != nil {
				got = asAPIError(t, err).Message
			}
			if got != tt.want {
				t.Errorf("Send(%.30q) error = %q, want %q", tt.msg.Text, got, tt.want)
			}
		})
	}
}

func TestButtonsEditsAndDeletes(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	srv.SendText(alice, Private(alice), "/today")

	cfg := tgbotapi.NewMessage(alice.ID, "<b>Lunch</b> 13:00")
	cfg.ParseMode = tgbotapi.ModeHTML
	cfg.DisableWebPagePreview = true
	cfg.ReplyMarkup = keyboard(tgbotapi.NewInlineKeyboardButtonData("Delete", "del:7"))
	if _, err := bot.Send(cfg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := srv.WaitMessage(t, alice.ID, 5*time.Second)
	if b, ok := sent.Button("Delete"); !ok || *b.CallbackData != "del:7" || sent.Text != cfg.Text || !sent.DisablePreview || sent.ParseMode != "HTML" {
		t.Fatalf("WaitMessage = %+v, want the sent message with its Delete button", sent)
	}

	press := srv.PressButton(alice, sent, "del:7")
	got, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: press.UpdateID})
	if err != nil || len(got) != 1 || got[0].CallbackQuery == nil {
		t.Fatalf("GetUpdates = %+v, %v; want the callback query", got, err)
	}
	cq := got[0].CallbackQuery
	if cq.Data != "del:7" || cq.From.ID != alice.ID || cq.Message.MessageID != sent.MessageID || cq.Message.Text != "Lunch 13:00" {
		t.Errorf("callback query = %+v, message %+v", cq, cq.Message)
	}

	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "Deleted")); err != nil {
		t.Fatalf("answerCallbackQuery: %v", err)
	}
	if a, ok := srv.Answered(cq.ID); !ok || a.Text != "Deleted" {
		t.Errorf("Answered(%q) = %+v, %v; want \"Deleted\"", cq.ID, a, ok)
	}
	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, "again"))
	if e := asAPIError(t, err); e.Message != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
		t.Errorf("second answer: error = %q", e.Message)
	}

	// An edit without reply_markup drops the keyboard, as on Telegram.
	if _, err := bot.Send(tgbotapi.NewEditMessageText(alice.ID, sent.MessageID, "Deleted.")); err != nil {
		t.Fatalf("editMessageText: %v", err)
	}
	edited := srv.WaitMessage(t, alice.ID, 5*time.Second)
	if want := (SentMessage{ChatID: alice.ID, MessageID: sent.MessageID, Text: "Deleted.", Edited: true}); !cmp.Equal(edited, want) {
		t.Errorf("edit (-got +want):\n%s", cmp.Diff(edited, want))
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice.ID, sent.MessageID, "Deleted."))
	if e := asAPIError(t, err); !strings.HasPrefix(e.Message, "Bad Request: message is not modified") {
		t.Errorf("identical edit: error = %q, want message is not modified", e.Message)
	}

	if _, err := bot.Request(tgbotapi.NewDeleteMessage(alice.ID, sent.MessageID)); err != nil {
		t.Fatalf("deleteMessage: %v", err)
	}
	if gone := srv.WaitMessage(t, alice.ID, 5*time.Second); !gone.Deleted {
		t.Errorf("after deleteMessage: %+v, want Deleted", gone)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice.ID, sent.MessageID, "late"))
	if e := asAPIError(t, err); e.Message != "Bad Request: message to edit not found" {
		t.Errorf("edit after delete: error = %q", e.Message)
	}
	if n := len(srv.Messages(alice.ID)); n != 3 {
		t.Errorf("Messages() has %d events, want send, edit, delete", n)
	}
}

func TestSetMyCommands(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	en := []tgbotapi.BotCommand{{Command: "today", Description: "Today's events"}}
	ru := []tgbotapi.BotCommand{{Command: "today", Description: "События на сегодня"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(en...)); err != nil {
		t.Fatalf("setMyCommands: %v", err)
	}
	if _, err := bot.Request(tgbotapi.SetMyCommandsConfig{Commands: ru, LanguageCode: "ru"}); err != nil {
		t.Fatalf("setMyCommands ru: %v", err)
	}
	if diff := cmp.Diff(en, srv.Commands("")); diff != "" {
		t.Errorf("Commands(\"\") (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ru, srv.Commands("ru")); diff != "" {
		t.Errorf("Commands(\"ru\") (-want +got):\n%s", diff)
	}

	_, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "/Today", Description: "x"}))
	if e := asAPIError(t, err); e.Message != "Bad Request: BOT_COMMAND_INVALID" {
		t.Errorf("invalid command: error = %q", e.Message)
	}
}

// TestJSONBody sends parameters as a JSON object, as other clients do.
func TestJSONBody(t *testing.T) {
	srv := New(t, token)
	srv.SendText(alice, Group(-5001, "Team"), "/today")
	body := `{"chat_id": -5001, "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "Open", "url": "https://example.com/"}]]}}`
	resp, err := http.Post(srv.URL()+"/bot"+token+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Ok     bool             `json:"ok"`
		Result tgbotapi.Message `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || !got.Ok {
		t.Fatalf("sendMessage = %d %+v, %v; want ok", resp.StatusCode, got, err)
	}
	if got.Result.Chat.Type != "group" || got.Result.ReplyMarkup == nil || !got.Result.From.IsBot {
		t.Errorf("result = %+v, want a bot message with a keyboard in the group", got.Result)
	}
}

func TestSendChatAction(t *testing.T) {
	srv := New(t, token)
	bot := newBot(t, srv, context.Background())
	srv.SendText(alice, Private(alice), "hi")
	if _, err := bot.Request(tgbotapi.NewChatAction(alice.ID, tgbotapi.ChatTyping)); err != nil {
		t.Errorf("sendChatAction: %v", err)
	}
	if n := srv.Calls("sendChatAction"); n != 1 {
		t.Errorf("Calls(sendChatAction) = %d, want 1", n)
	}
}
