package telegramfake

import (
	"github.com/calbot/calbot/internal/loopback"

	"context"
	"fmt"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SentMessage is a message the bot sent, or one state of it: each edit and
// deletion is a new SentMessage with Edited or Deleted set.
type SentMessage struct {
	ChatID    int64
	MessageID int
	// Text is the text exactly as the bot sent it, with HTML tags when
	// ParseMode is "HTML". Golden files should compare this.
	Text           string
	ParseMode      string
	DisablePreview bool
	Silent         bool                           // sent with disable_notification
	ReplyTo        int                            // reply_to_message_id, or 0
	Markup         *tgbotapi.InlineKeyboardMarkup // nil: no inline keyboard
	Edited         bool
	Deleted        bool
}

// Button returns the first inline button labelled text.
func (m SentMessage) Button(text string) (tgbotapi.InlineKeyboardButton, bool) {
	if m.Markup == nil {
		return tgbotapi.InlineKeyboardButton{}, false
	}
	for _, row := range m.Markup.InlineKeyboard {
		for _, b := range row {
			if b.Text == text {
				return b, true
			}
		}
	}
	return tgbotapi.InlineKeyboardButton{}, false
}

// chat is a chat that wrote to the bot; s.mu guards it.
type chat struct {
	id        int64
	typ       string
	title     string
	first     string // private chats: the user's first name and username
	username  string
	lastMsg   int
	msgs      map[int]*stored
	events    []SentMessage
	waitIndex int // events before it were returned by NextMessage
}

// stored is any message in a chat: from a user or from the bot.
type stored struct {
	fromBot bool
	text    string // user messages
	sent    SentMessage
	deleted bool
}

func (c *chat) add(m stored) int {
	c.lastMsg++
	if m.fromBot {
		m.sent.MessageID = c.lastMsg
	}
	c.msgs[c.lastMsg] = &m
	return c.lastMsg
}

func (c *chat) info() *tgbotapi.Chat {
	return &tgbotapi.Chat{ID: c.id, Type: c.typ, Title: c.title, FirstName: c.first, UserName: c.username}
}

// chatLocked returns the chat, making it known on first use.
func (s *Server) chatLocked(from User, ch Chat) *chat {
	if c, ok := s.chats[ch.ID]; ok {
		return c
	}
	c := &chat{id: ch.ID, typ: ch.Type, title: ch.Title, msgs: make(map[int]*stored)}
	if c.typ == "" {
		c.typ = "private"
	}
	if c.typ == "private" {
		c.first, c.username = from.FirstName, from.Username
	}
	s.chats[ch.ID] = c
	return c
}

// lookupChat resolves a chat_id parameter to a chat that wrote to the bot.
func (s *Server) lookupChat(p params) (*chat, *apiError) {
	raw := p["chat_id"]
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c, ok := s.chats[id]
	if !ok {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// messageLocked is m as the Bot API shows a bot's message.
func (s *Server) messageLocked(c *chat, m SentMessage) *tgbotapi.Message {
	text := m.Text
	if isHTML(m.ParseMode) {
		text, _, _ = parseHTML(m.Text) // validated when sent
	}
	return &tgbotapi.Message{
		MessageID:   m.MessageID,
		From:        s.me.bot(),
		Date:        int(time.Now().Unix()),
		Chat:        c.info(),
		Text:        text,
		ReplyMarkup: m.Markup,
	}
}

// recordLocked appends an event for the bot's message and wakes waiters.
func (s *Server) recordLocked(c *chat, m SentMessage) {
	c.events = append(c.events, m)
	s.changed()
}

// Messages returns every message the bot sent to chatID, each edit and each
// deletion of one, in order.
func (s *Server) Messages(chatID int64) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[chatID]; ok {
		return append([]SentMessage(nil), c.events...)
	}
	return nil
}

// Message returns the current state of the bot's message id in chatID.
func (s *Server) Message(chatID int64, id int) (SentMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return SentMessage{}, false
	}
	m, ok := c.msgs[id]
	if !ok || !m.fromBot {
		return SentMessage{}, false
	}
	return m.sent, true
}

// NextMessage returns the next event in chatID (a send, an edit or a
// deletion) that no earlier NextMessage or WaitMessage returned, waiting
// until one happens or ctx ends.
func (s *Server) NextMessage(ctx context.Context, chatID int64) (SentMessage, error) {
	for {
		s.mu.Lock()
		if c, ok := s.chats[chatID]; ok && c.waitIndex < len(c.events) {
			m := c.events[c.waitIndex]
			c.waitIndex++
			s.mu.Unlock()
			return m, nil
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return SentMessage{}, fmt.Errorf("wait for a message in chat %d: %w", chatID, ctx.Err())
		case <-s.done:
			return SentMessage{}, fmt.Errorf("wait for a message in chat %d: server closed", chatID)
		}
	}
}

// WaitMessage is NextMessage for tests: it fails t if nothing comes within
// timeout, listing what the bot sent to the chat so far.
func (s *Server) WaitMessage(t loopback.TB, chatID int64, timeout time.Duration) SentMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	m, err := s.NextMessage(ctx, chatID)
	if err != nil {
		t.Fatalf("telegramfake: %v; sent so far: %+v; rejected requests: %q", err, s.Messages(chatID), s.Rejected())
	}
	return m
}
