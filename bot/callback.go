package bot

import (
	"context"
	"errors"
	"html"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/oauth2"

	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
)

// undoData is the callback data of an Undo button: who may press it and
// which event it deletes. It stays well under Telegram's 64 bytes.
func undoData(userID int64, eventID string) string {
	return "undo:" + strconv.FormatInt(userID, 36) + ":" + eventID
}

// parseUndo reads undoData; ok is false for anything else.
func parseUndo(data string) (userID int64, eventID string, ok bool) {
	rest, found := strings.CutPrefix(data, "undo:")
	if !found {
		return 0, "", false
	}
	u, id, found := strings.Cut(rest, ":")
	if !found || len(id) < 5 || len(id) > 64 {
		return 0, "", false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
			return 0, "", false
		}
	}
	userID, err := strconv.ParseInt(u, 36, 64)
	if err != nil || userID <= 0 || strconv.FormatInt(userID, 36) != u {
		return 0, "", false // one spelling per user: no signs, zeros or capitals
	}
	return userID, id, true
}

// handleCallback runs a button press. Every query is answered, so the
// user's spinner stops, whatever happens.
func (b *Bot) handleCallback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if q.From == nil {
		return
	}
	lang := langOf(q.From.LanguageCode)
	userID, eventID, ok := parseUndo(q.Data)
	if !ok || q.Message == nil || q.Message.Chat == nil {
		b.answer(ctx, q.ID, "", false)
		return
	}
	if q.From.ID != userID {
		b.answer(ctx, q.ID, text(lang, msgUndoNotYours), true)
		return
	}
	outcome, start := outcomeOK, time.Now()
	defer func() { b.cfg.Metrics.observe("undo", outcome, time.Since(start)) }()
	c := chat{id: q.Message.Chat.ID, userID: q.From.ID, lang: lang, private: q.Message.Chat.IsPrivate(), outcome: &outcome}
	err := b.google(c.id, func(ts oauth2.TokenSource) error { return b.cfg.Calendar.Delete(ctx, ts, eventID) })
	switch {
	case err == nil:
	case errors.Is(err, calendar.ErrNotFound):
		b.answer(ctx, q.ID, text(lang, msgUndoGone), false)
		b.markUndone(ctx, q)
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
