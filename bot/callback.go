package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
)

// Button data is chosen by the client, so every button the bot makes is
// signed: payload + "." + a MAC (HMAC-SHA256 under CallbackKey, cut to
// callbackMACLen bytes) over the chat, the user who may press it and the
// payload. A press whose MAC does not match, in another chat or by another
// user, does nothing.
//
// Replay: a signed button can only be pressed again as it is, by the same
// user in the same chat. Each press must also find its data on the keyboard
// of the message it came from (Telegram hands the message over as it is
// now), so a button the bot has taken away, as Undo does once it has
// deleted the event, is refused. A press that still races one in flight
// acts once: the event is deleted by id, Google keeps deleted ids, and the
// second delete finds it gone.

// callbackMACLen is the MAC's length: 128 bits, 22 base64url characters.
const callbackMACLen = 16

// maxCallbackData is Telegram's limit on a button's data, in bytes.
const maxCallbackData = 64

// mustKeys panics unless cfg carries both keys the bot signs with: a bot
// without them would sign with an empty key.
func mustKeys(cfg Config) {
	if len(cfg.CallbackKey) < 32 || len(cfg.EventKey) < 32 {
		panic(fmt.Sprintf("bot.New: CallbackKey and EventKey must be at least 32 bytes, got %d and %d", len(cfg.CallbackKey), len(cfg.EventKey)))
	}
}

func callbackMAC(key []byte, chatID, userID int64, payload string) []byte {
	m := hmac.New(sha256.New, key)
	var ids [16]byte
	binary.BigEndian.PutUint64(ids[:8], uint64(chatID))
	binary.BigEndian.PutUint64(ids[8:], uint64(userID))
	m.Write(ids[:])
	m.Write([]byte(payload))
	return m.Sum(nil)[:callbackMACLen]
}

// signCallback returns the data of a button that userID may press in chatID.
func signCallback(key []byte, chatID, userID int64, payload string) string {
	return payload + "." + base64.RawURLEncoding.EncodeToString(callbackMAC(key, chatID, userID, payload))
}

// openCallback returns the payload of data if signCallback made it for
// chatID and userID; ok is false for anything else.
func openCallback(key []byte, chatID, userID int64, data string) (payload string, ok bool) {
	i := strings.LastIndexByte(data, '.')
	if i < 0 {
		return "", false
	}
	payload, tag := data[:i], data[i+1:]
	mac, err := base64.RawURLEncoding.DecodeString(tag)
	if err != nil || len(mac) != callbackMACLen || base64.RawURLEncoding.EncodeToString(mac) != tag {
		return "", false // one spelling per MAC
	}
	if !hmac.Equal(mac, callbackMAC(key, chatID, userID, payload)) {
		return "", false
	}
	return payload, true
}

// undoPayload names the event an Undo button deletes from the primary
// calendar.
func undoPayload(eventID string) string { return "undo:" + eventID }

// parseUndo reads undoPayload; ok is false for anything else.
func parseUndo(payload string) (eventID string, ok bool) { return parseEventPayload(payload, "undo:") }

// parseEventPayload reads prefix and one of calbot's own event ids.
func parseEventPayload(payload, prefix string) (eventID string, ok bool) {
	id, found := strings.CutPrefix(payload, prefix)
	if !found || len(id) < 5 || len(id) > 32 {
		return "", false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
			return "", false
		}
	}
	return id, true
}

// undoData is the signed data of the Undo button for eventID, which /add
// wrote to calendarID ("" or "primary": the primary calendar) in chat c.
// A calendar id does not fit in a button: the chat's notes keep it. ok is
// false if no button can be made (calbot's own ids always fit).
func (b *Bot) undoData(c chat, eventID, calendarID string) (string, bool) {
	payload := undoPayload(eventID)
	if _, ok := parseUndo(payload); !ok {
		b.log.Warn("event id too long for an undo button", "chat_id", c.id, "len", len(eventID))
		return "", false
	}
	if calendarID != "" && calendarID != "primary" {
		if err := b.putUndoNote(c.id, eventID, calendarID); err != nil {
			b.log.Warn("store undo note failed; no undo button", "chat_id", c.id, "err", err)
			return "", false
		}
		payload = undoInPayload(eventID)
	}
	data := signCallback(b.cfg.CallbackKey, c.id, c.userID, payload)
	if len(data) > maxCallbackData {
		b.log.Warn("undo button data too long", "chat_id", c.id, "len", len(data))
		return "", false
	}
	return data, true
}

// onKeyboard reports whether m still shows a button with data.
func onKeyboard(m *tgbotapi.Message, data string) bool {
	if m.ReplyMarkup == nil {
		return false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, btn := range row {
			if btn.CallbackData != nil && *btn.CallbackData == data {
				return true
			}
		}
	}
	return false
}

// handleCallback runs a button press. Every query is answered, so the
// user's spinner stops, whatever happens; a press that is not authentic
// changes nothing.
func (b *Bot) handleCallback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	lang := "en"
	if q.From != nil {
		lang = langOf(q.From.LanguageCode)
	}
	// The bot makes buttons only in private chats.
	if q.From == nil || q.Message == nil || q.Message.Chat == nil || !q.Message.Chat.IsPrivate() {
		b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
		return
	}
	chatID := q.Message.Chat.ID
	if q.From.ID != chatID {
		b.answer(ctx, q.ID, text(lang, msgUndoNotYours), true)
		return
	}
	lang = b.replyLang(chatID, lang)
	payload, ok := openCallback(b.cfg.CallbackKey, chatID, q.From.ID, q.Data)
	if !ok {
		b.log.Warn("button data failed authentication", "chat_id", chatID)
		b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
		return
	}
	if b.scheduledButton(ctx, q, lang, payload) {
		return
	}
	if isSettingsPayload(payload) && onKeyboard(q.Message, q.Data) {
		b.settingsPress(ctx, q, chat{id: chatID, userID: q.From.ID, lang: lang, private: true,
			who: oauth.Person{ID: q.From.ID, FirstName: q.From.FirstName, Username: q.From.UserName}}, payload)
		return
	}
	eventID, ok := parseUndo(payload)
	calendarID := "primary"
	if id, in := parseUndoIn(payload); in {
		eventID, ok, calendarID = id, true, ""
	}
	if !ok || !onKeyboard(q.Message, q.Data) {
		b.answer(ctx, q.ID, text(lang, msgButtonInvalid), false)
		return
	}
	if calendarID == "" {
		if calendarID, ok = b.undoNote(chatID, eventID); !ok {
			b.answer(ctx, q.ID, text(lang, msgUndoExpired), true)
			return
		}
	}
	outcome, start := outcomeOK, time.Now()
	defer func() { b.cfg.Metrics.observe("undo", outcome, time.Since(start)) }()
	c := chat{id: chatID, userID: q.From.ID, lang: lang, private: true, outcome: &outcome}
	marker := calendar.Marker(b.cfg.EventKey, c.id)
	err := b.google(c.id, func(ts oauth2.TokenSource) error {
		return b.cfg.Calendar.DeleteMarkedIn(ctx, ts, calendarID, eventID, marker)
	})
	switch {
	case err == nil:
	case errors.Is(err, calendar.ErrNotFound):
		b.answer(ctx, q.ID, text(lang, msgUndoGone), false)
		b.markUndone(ctx, q)
		return
	case errors.Is(err, calendar.ErrNotOurs):
		c.mark(outcomeBadInput)
		b.log.Warn("undo refused: the event lacks calbot's marker", "chat_id", c.id)
		b.answer(ctx, q.ID, text(lang, msgUndoNotOurs), true)
		return
	case errors.Is(err, oauth.ErrRevoked), errors.Is(err, oauth.ErrNotLinked):
		b.answer(ctx, q.ID, "", false)
		b.calendarFailed(ctx, c, "undo", err)
		return
	default:
		c.mark(outcomeUnavailable)
		if !errors.Is(err, calendar.ErrUnavailable) {
			c.mark(outcomeError)
		}
		b.log.Warn("undo failed", "chat_id", c.id, "err", err)
		b.answer(ctx, q.ID, text(lang, msgUndoFailed), true)
		return
	}
	b.answer(ctx, q.ID, text(lang, msgUndoneToast), false)
	b.markUndone(ctx, q)
}

// markUndone strikes the confirmation through, says it was undone and
// drops the buttons, so it cannot be pressed again. Telegram hands the
// message back as plain text, so it is escaped again.
func (b *Bot) markUndone(ctx context.Context, q *tgbotapi.CallbackQuery) {
	body := "<s>" + html.EscapeString(q.Message.Text) + "</s>\n\n" + text(langOf(q.From.LanguageCode), msgUndone)
	edit := tgbotapi.NewEditMessageText(q.Message.Chat.ID, q.Message.MessageID, body)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	if err := b.deliver(ctx, q.Message.Chat.ID, edit); err != nil {
		b.log.Warn("edit message failed", "chat_id", q.Message.Chat.ID, "err", err)
	}
}

func (b *Bot) answer(ctx context.Context, id, msgText string, alert bool) {
	a := tgbotapi.NewCallback(id, msgText)
	a.ShowAlert = alert
	if _, err := b.request(ctx, a); err != nil {
		b.log.Warn("answer callback failed", "err", err)
	}
}
