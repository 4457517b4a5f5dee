package telegramfake

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxTextLen is Telegram's limit on a message's text, in UTF-16 code units
// after entity parsing.
const maxTextLen = 4096

func isHTML(parseMode string) bool { return strings.EqualFold(parseMode, "HTML") }

// checkText validates text as Telegram would for parseMode.
func checkText(text, parseMode string) *apiError {
	if text == "" {
		return badRequest("message text is empty")
	}
	plain := text
	switch {
	case parseMode == "":
	case isHTML(parseMode):
		var tags int
		var err error
		plain, tags, err = parseHTML(text)
		if err != nil {
			return badRequest("can't parse entities: " + err.Error())
		}
		if strings.TrimSpace(plain) == "" && tags > 0 {
			return badRequest("text must be non-empty")
		}
	case strings.EqualFold(parseMode, "Markdown"), strings.EqualFold(parseMode, "MarkdownV2"):
		// Accepted without validation: calbot sends HTML.
	default:
		return badRequest("unsupported parse_mode")
	}
	plain = strings.TrimSpace(plain)
	if plain == "" {
		return badRequest("message text is empty")
	}
	if len(utf16.Encode([]rune(plain))) > maxTextLen {
		return badRequest("message is too long")
	}
	return nil
}

// previewDisabled reads disable_web_page_preview and link_preview_options.
func previewDisabled(p params) bool {
	if p["disable_web_page_preview"] == "true" {
		return true
	}
	var opts struct {
		IsDisabled bool `json:"is_disabled"`
	}
	return json.Unmarshal([]byte(p["link_preview_options"]), &opts) == nil && opts.IsDisabled
}

// replyTo reads reply_to_message_id or reply_parameters.
func replyTo(p params) (id int, allowMissing bool) {
	id, _ = strconv.Atoi(p["reply_to_message_id"])
	allowMissing = p["allow_sending_without_reply"] == "true"
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if json.Unmarshal([]byte(p["reply_parameters"]), &rp) == nil && rp.MessageID != 0 {
		id, allowMissing = rp.MessageID, rp.AllowSendingWithoutReply
	}
	return id, allowMissing
}

func (s *Server) sendMessage(_ context.Context, p params) (any, *apiError) {
	m := SentMessage{Text: p["text"], ParseMode: p["parse_mode"], DisablePreview: previewDisabled(p), Silent: p["disable_notification"] == "true"}
	if err := checkText(m.Text, m.ParseMode); err != nil {
		return nil, err
	}
	markup, err := parseMarkup(p["reply_markup"])
	if err != nil {
		return nil, err
	}
	m.Markup = markup

	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.lookupChat(p)
	if err != nil {
		return nil, err
	}
	m.ChatID = c.id
	if id, allowMissing := replyTo(p); id != 0 {
		if r, ok := c.msgs[id]; ok && !r.deleted {
			m.ReplyTo = id
		} else if !allowMissing {
			return nil, badRequest("message to be replied not found")
		}
	}
	m.MessageID = c.add(stored{fromBot: true, sent: m})
	s.recordLocked(c, m)
	return s.messageLocked(c, m), nil
}

// editTarget finds the bot's message named by chat_id and message_id.
func (s *Server) editTarget(p params, notFound string) (*chat, *stored, *apiError) {
	if p["inline_message_id"] != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, err := s.lookupChat(p)
	if err != nil {
		return nil, nil, err
	}
	id, _ := strconv.Atoi(p["message_id"])
	if id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m, ok := c.msgs[id]
	if !ok || m.deleted {
		return nil, nil, badRequest(notFound)
	}
	return c, m, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message"

// editMessageText replaces text and keyboard. As on Telegram, a request
// without reply_markup removes the inline keyboard.
func (s *Server) editMessageText(_ context.Context, p params) (any, *apiError) {
	text, parseMode := p["text"], p["parse_mode"]
	if err := checkText(text, parseMode); err != nil {
		return nil, err
	}
	markup, err := parseMarkup(p["reply_markup"])
	if err != nil {
		return nil, err
	}

	return s.edit(p, func(next *SentMessage) {
		next.Text, next.ParseMode, next.DisablePreview = text, parseMode, previewDisabled(p)
		next.Markup = markup
	})
}

func (s *Server) editMessageReplyMarkup(_ context.Context, p params) (any, *apiError) {
	markup, err := parseMarkup(p["reply_markup"])
	if err != nil {
		return nil, err
	}
	return s.edit(p, func(next *SentMessage) { next.Markup = markup })
}

// edit applies change to the bot's message that p names, as Telegram does:
// only the bot's own messages, and not an edit that changes nothing.
func (s *Server) edit(p params, change func(*SentMessage)) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, err := s.editTarget(p, "message to edit not found")
	if err != nil {
		return nil, err
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	next := m.sent
	change(&next)
	next.Edited = true
	if sameContent(m.sent, next) {
		return nil, badRequest(notModified)
	}
	m.sent = next
	s.recordLocked(c, next)
	msg := s.messageLocked(c, next)
	msg.EditDate = msg.Date
	return msg, nil
}

// sameContent reports whether an edit would change nothing a user sees.
func sameContent(a, b SentMessage) bool {
	if a.Text != b.Text || !strings.EqualFold(a.ParseMode, b.ParseMode) {
		return false
	}
	ja, _ := json.Marshal(a.Markup)
	jb, _ := json.Marshal(b.Markup)
	return string(ja) == string(jb)
}

func (s *Server) deleteMessage(_ context.Context, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, err := s.editTarget(p, "message to delete not found")
	if err != nil {
		return nil, err
	}
	m.deleted = true
	if m.fromBot {
		gone := m.sent
		gone.Deleted = true
		s.recordLocked(c, gone)
	}
	return true, nil
}

// parseMarkup validates reply_markup. It returns the inline keyboard, or nil
// for no markup or a markup of another kind (reply keyboard, force reply).
func parseMarkup(raw string) (*tgbotapi.InlineKeyboardMarkup, *apiError) {
	if raw == "" {
		return nil, nil
	}
	var m struct {
		Inline         *[][]tgbotapi.InlineKeyboardButton `json:"inline_keyboard"`
		Keyboard       json.RawMessage                    `json:"keyboard"`
		RemoveKeyboard bool                               `json:"remove_keyboard"`
		ForceReply     bool                               `json:"force_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if m.Inline == nil {
		if m.Keyboard != nil || m.RemoveKeyboard || m.ForceReply {
			return nil, nil
		}
		return nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	for _, row := range *m.Inline {
		for _, b := range row {
			if err := checkButton(b); err != nil {
				return nil, err
			}
		}
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: *m.Inline}, nil
}

func checkButton(b tgbotapi.InlineKeyboardButton) *apiError {
	if strings.TrimSpace(b.Text) == "" {
		return badRequest("BUTTON_TEXT_INVALID")
	}
	switch {
	case b.URL != nil:
		if !validButtonURL(*b.URL) {
			return badRequest("BUTTON_URL_INVALID")
		}
	case b.CallbackData != nil:
		if n := len(*b.CallbackData); n == 0 || n > 64 {
			return badRequest("BUTTON_DATA_INVALID")
		}
	case b.LoginURL != nil:
		return checkLoginButton(b.LoginURL)
	case b.SwitchInlineQuery != nil, b.SwitchInlineQueryCurrentChat != nil, b.CallbackGame != nil, b.Pay:
	default:
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	return nil
}
