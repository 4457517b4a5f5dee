package telegramfake

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// User is a Telegram account that talks to the bot.
type User struct {
	ID                  int64
	FirstName, Username string
	LanguageCode        string // IETF tag such as "en" or "ru"; Telegram sends it in updates
}

func (u User) tg() *tgbotapi.User {
	return &tgbotapi.User{ID: u.ID, FirstName: u.FirstName, UserName: u.Username, LanguageCode: u.LanguageCode}
}

// Chat is where a user writes: a private chat with the bot or a group.
type Chat struct {
	ID    int64
	Type  string // "private", "group" or "supergroup"
	Title string // groups only
}

// Private returns u's private chat with the bot; its id is u's id.
func Private(u User) Chat { return Chat{ID: u.ID, Type: "private"} }

// Group returns a basic group; Telegram group ids are negative.
func Group(id int64, title string) Chat { return Chat{ID: id, Type: "group", Title: title} }

// Supergroup returns a supergroup; Telegram supergroup ids look like -100xxxxxxxxxx.
func Supergroup(id int64, title string) Chat { return Chat{ID: id, Type: "supergroup", Title: title} }

// queued is an update waiting in the getUpdates queue.
type queued struct {
	upd tgbotapi.Update
	// again marks a redelivered update: it is handed out once even though
	// an earlier offset confirmed it.
	again bool
}

// SendText delivers a text message from a user in chat and returns the
// update the bot will receive. A leading /command gets a bot_command entity
// as Telegram sets it. The chat becomes known, so the bot may write to it.
// It panics if a private chat's id is not from's id.
func (s *Server) SendText(from User, chat Chat, text string) tgbotapi.Update {
	return s.send(from, chat, stored{text: text}, func(m *tgbotapi.Message) {
		m.Text, m.Entities = text, commandEntity(text)
	})
}

// send stores a message from a user in chat, lets fill set what kind of
// message it is, and queues it as an update, which it returns. It panics
// if a private chat's id is not from's id.
func (s *Server) send(from User, chat Chat, st stored, fill func(*tgbotapi.Message)) tgbotapi.Update {
	if chat.Type == "private" && chat.ID != from.ID {
		panic(fmt.Sprintf("telegramfake: private chat %d does not belong to user %d", chat.ID, from.ID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(from, chat)
	msg := &tgbotapi.Message{
		MessageID: c.add(st),
		From:      from.tg(),
		Date:      int(time.Now().Unix()),
		Chat:      c.info(),
	}
	fill(msg)
	return s.enqueueLocked(tgbotapi.Update{Message: msg})
}

// SendLocation delivers a message from a user sharing a location (latitude
// and longitude in degrees) in chat, as Telegram's clients send it: no
// text, a location. It returns the update.
func (s *Server) SendLocation(from User, chat Chat, lat, lon float64) tgbotapi.Update {
	return s.send(from, chat, stored{}, func(m *tgbotapi.Message) {
		m.Location = &tgbotapi.Location{Latitude: lat, Longitude: lon}
	})
}

// PressButton delivers a callback query from a user pressing a button with
// data under msg, and returns the update; its CallbackQuery.ID is what the
// bot must answer. The query carries the message as it is now (after edits).
// data is not checked against the keyboard: clients can send anything.
func (s *Server) PressButton(from User, msg SentMessage, data string) tgbotapi.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[msg.ChatID]
	if c == nil {
		panic(fmt.Sprintf("telegramfake: PressButton in chat %d that never wrote to the bot", msg.ChatID))
	}
	if m, ok := c.msgs[msg.MessageID]; ok && !m.deleted {
		msg = m.sent
	}
	s.nextQuery++
	id := strconv.FormatInt(from.ID<<20+int64(s.nextQuery), 10)
	s.pending[id] = true
	cq := &tgbotapi.CallbackQuery{
		ID:           id,
		From:         from.tg(),
		Message:      s.messageLocked(c, msg),
		ChatInstance: strconv.FormatInt(-msg.ChatID*7919, 10),
		Data:         data,
	}
	return s.enqueueLocked(tgbotapi.Update{CallbackQuery: cq})
}

// SendUpdate delivers any other update (my_chat_member, edited_message, …).
// It sets UpdateID and returns the update as queued.
func (s *Server) SendUpdate(upd tgbotapi.Update) tgbotapi.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked(upd)
}

// Redeliver queues upd again with its own update_id, as Telegram does when a
// confirmation is lost: the next getUpdates returns it even if its offset
// already confirmed it. Bots must handle updates idempotently.
func (s *Server) Redeliver(upd tgbotapi.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.queue {
		if s.queue[i].upd.UpdateID == upd.UpdateID {
			s.queue[i].again = true
			s.changed()
			return
		}
	}
	s.queue = append(s.queue, queued{upd: upd, again: true})
	slices.SortFunc(s.queue, func(a, b queued) int { return a.upd.UpdateID - b.upd.UpdateID })
	s.changed()
}

// Pending returns how many updates the bot has not confirmed yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Server) enqueueLocked(upd tgbotapi.Update) tgbotapi.Update {
	s.lastUpdate++
	upd.UpdateID = s.lastUpdate
	s.queue = append(s.queue, queued{upd: upd})
	s.changed()
	return upd
}

// commandEntity marks a leading /command (with an optional @botname).
func commandEntity(text string) []tgbotapi.MessageEntity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	end := strings.IndexFunc(text, func(r rune) bool {
		return !(r == '/' || r == '_' || r == '@' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if end == -1 {
		end = len(text)
	}
	if end < 2 {
		return nil
	}
	return []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len(utf16.Encode([]rune(text[:end])))}}
}

// getUpdates confirms updates below offset and returns the rest, waiting up
// to timeout seconds for one to arrive. A newer getUpdates ends an older one
// with 409 Conflict, as when two bot instances poll.
func (s *Server) getUpdates(ctx context.Context, p params) (any, *apiError) {
	offset, _ := strconv.Atoi(p["offset"])
	limit, err := strconv.Atoi(p["limit"])
	if err != nil || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])

	s.mu.Lock()
	if s.webhookURL != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return q.upd.UpdateID < offset && !q.again })
	if s.poll != nil {
		close(s.poll)
	}
	kicked := make(chan struct{})
	s.poll = kicked
	s.changed() // lets tests see that a poll is waiting
	s.mu.Unlock()

	var deadline <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
		deadline = timer.C
	}
	for {
		s.mu.Lock()
		if len(s.queue) > 0 || deadline == nil {
			n := min(limit, len(s.queue))
			out := make([]tgbotapi.Update, n)
			for i := range n {
				out[i] = s.queue[i].upd
				s.queue[i].again = false
			}
			s.endPollLocked(kicked)
			s.mu.Unlock()
			return out, nil
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			deadline = nil // one more pass returns what there is
		case <-kicked:
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		case <-ctx.Done():
			s.mu.Lock()
			s.endPollLocked(kicked)
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusGatewayTimeout, desc: "request cancelled"}
		case <-s.done:
			return []tgbotapi.Update{}, nil
		}
	}
}

func (s *Server) endPollLocked(mine chan struct{}) {
	if s.poll == mine {
		s.poll = nil
	}
}
