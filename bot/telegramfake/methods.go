package telegramfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Answer is what the bot passed to answerCallbackQuery.
type Answer struct {
	Text      string
	ShowAlert bool
	URL       string
}

// Fault is an error response that FailNext makes a method return.
type Fault struct {
	Code        int    // HTTP status and error_code, such as 429 or 502
	Description string // such as "Too Many Requests: retry after 3"
	RetryAfter  int    // seconds; sent as parameters.retry_after when > 0
}

// TooManyRequests is the fault Telegram returns when the bot hits a rate limit.
func TooManyRequests(retryAfter int) Fault {
	return Fault{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// FailNext makes the next n calls of method (a canonical name such as
// "sendMessage") fail with f, without doing anything. Calls counts them.
func (s *Server) FailNext(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// Calls returns how many requests for method the server received, failed
// ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Unexpected returns the names of methods called that the fake does not
// implement; New fails the test if there are any.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// Rejected returns "method: description" for every request the server
// refused as invalid (faults from FailNext excluded). A bot that works
// should leave it empty.
func (s *Server) Rejected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rejected...)
}

// Me returns the bot's own account, as getMe reports it.
func (s *Server) Me() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.me
}

// SetMe changes the bot's own account.
func (s *Server) SetMe(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.me = u
}

// SetWebhook pretends a webhook is set to url (getWebhookInfo reports it and
// getUpdates fails with 409) until the bot calls deleteWebhook.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = url
}

// Answered returns the answer to callback query id, if the bot gave one.
func (s *Server) Answered(id string) (Answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[id]
	return a, ok
}

// WaitAnswer waits until the bot answers callback query id, or ctx ends.
func (s *Server) WaitAnswer(ctx context.Context, id string) (Answer, error) {
	for {
		s.mu.Lock()
		a, ok := s.answers[id]
		wake := s.wake
		s.mu.Unlock()
		if ok {
			return a, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return Answer{}, fmt.Errorf("wait for the answer to callback query %s: %w", id, ctx.Err())
		case <-s.done:
			return Answer{}, fmt.Errorf("wait for the answer to callback query %s: server closed", id)
		}
	}
}

// Commands returns the command list set for the default scope and
// languageCode ("" is the fallback list for all languages).
func (s *Server) Commands(languageCode string) []tgbotapi.BotCommand {
	return s.CommandsIn(tgbotapi.BotCommandScope{Type: "default"}, languageCode)
}

// CommandsIn returns the command list set for scope and languageCode.
func (s *Server) CommandsIn(scope tgbotapi.BotCommandScope, languageCode string) []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]tgbotapi.BotCommand(nil), s.commands[commandsKey(scope, languageCode)]...)
}

func commandsKey(scope tgbotapi.BotCommandScope, lang string) string {
	if scope.Type == "" {
		scope.Type = "default"
	}
	return fmt.Sprintf("%s/%d/%d/%s", scope.Type, scope.ChatID, scope.UserID, lang)
}

func (u User) bot() *tgbotapi.User {
	return &tgbotapi.User{ID: u.ID, IsBot: true, FirstName: u.FirstName, UserName: u.Username}
}

func (s *Server) getMe(context.Context, params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	me := s.me.bot()
	me.CanJoinGroups = true
	return me, nil
}

func (s *Server) answerCallbackQuery(_ context.Context, p params) (any, *apiError) {
	id := p["callback_query_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.pending[id] {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	delete(s.pending, id)
	s.answers[id] = Answer{Text: p["text"], ShowAlert: p["show_alert"] == "true", URL: p["url"]}
	s.changed()
	return true, nil
}

var (
	commandRE  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	languageRE = regexp.MustCompile(`^([a-z]{2})?$`)
)

// commandsTarget reads scope and language_code.
func commandsTarget(p params) (string, *apiError) {
	var scope tgbotapi.BotCommandScope
	if raw := p["scope"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &scope); err != nil {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
	}
	if !languageRE.MatchString(p["language_code"]) {
		return "", badRequest("invalid language code specified")
	}
	return commandsKey(scope, p["language_code"]), nil
}

func (s *Server) setMyCommands(_ context.Context, p params) (any, *apiError) {
	key, err := commandsTarget(p)
	if err != nil {
		return nil, err
	}
	var cmds []tgbotapi.BotCommand
	if jerr := json.Unmarshal([]byte(p["commands"]), &cmds); jerr != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[key] = cmds
	return true, nil
}

func (s *Server) deleteMyCommands(_ context.Context, p params) (any, *apiError) {
	key, err := commandsTarget(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	return true, nil
}

func (s *Server) deleteWebhook(_ context.Context, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = ""
	if p["drop_pending_updates"] == "true" {
		s.queue = nil
	}
	return true, nil
}

func (s *Server) getWebhookInfo(context.Context, params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return tgbotapi.WebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.queue)}, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(_ context.Context, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookupChat(p); err != nil {
		return nil, err
	}
	if !chatActions[p["action"]] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}
