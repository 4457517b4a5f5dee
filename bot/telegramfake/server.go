// Package telegramfake is a fake Telegram Bot API server. It speaks the real
// wire protocol (the one go-telegram-bot-api v5 uses), validates requests the
// way Telegram does so that formatting and keyboard bugs fail in tests, and
// lets a test act as users (SendText, PressButton) and watch what the bot
// sends (WaitMessage, Messages).
//
// Serving does not depend on the testing package: NewServer and Handler can
// back a local sandbox as well. New is the test convenience.
package telegramfake

import (
	"github.com/calbot/calbot/internal/loopback"

	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Server is a fake Telegram Bot API for one bot token. All methods are safe
// for concurrent use, including while requests are being served.
type Server struct {
	token string
	done  chan struct{} // closed by Close; ends long polls
	stop  sync.Once

	mu         sync.Mutex
	ts         *loopback.Server
	wake       chan struct{} // closed and replaced on every state change
	me         User
	webhookURL string
	domain     string           // linked with SetDomain
	now        func() time.Time // dates signed logins; nil: time.Now
	lastUpdate int
	queue      []queued
	poll       chan struct{} // closed to end the current getUpdates with 409
	chats      map[int64]*chat
	nextQuery  int
	pending    map[string]bool // callback queries not yet answered
	answers    map[string]Answer
	commands   map[string][]tgbotapi.BotCommand
	calls      map[string]int
	faults     map[string][]Fault
	unexpected []string
	rejected   []string
}

// NewServer returns a Server for token that is not listening anywhere; serve
// its Handler. If token starts with a numeric bot id ("123:abc"), getMe
// reports that id, as Telegram does.
func NewServer(token string) *Server {
	id := int64(7000000001)
	if prefix, _, ok := strings.Cut(token, ":"); ok {
		if n, err := strconv.ParseInt(prefix, 10, 64); err == nil && n > 0 {
			id = n
		}
	}
	return &Server{
		token:      token,
		done:       make(chan struct{}),
		wake:       make(chan struct{}),
		me:         User{ID: id, FirstName: "calbot test", Username: "calbot_test_bot"},
		lastUpdate: 100000,
		chats:      make(map[int64]*chat),
		pending:    make(map[string]bool),
		answers:    make(map[string]Answer),
		commands:   make(map[string][]tgbotapi.BotCommand),
		calls:      make(map[string]int),
		faults:     make(map[string][]Fault),
	}
}

// New starts a Server for token on 127.0.0.1. When the test ends it closes
// the server and reports every call to a method the fake does not know.
func New(t loopback.TB, token string) *Server {
	t.Helper()
	s := NewServer(token)
	ts := loopback.Start(s.Handler())
	s.mu.Lock()
	s.ts = ts
	s.mu.Unlock()
	t.Cleanup(func() {
		s.Close()
		if u := s.Unexpected(); len(u) > 0 {
			t.Errorf("telegramfake: the bot called methods the fake does not implement: %v", u)
		}
	})
	return s
}

// URL returns the base URL of a server started by New, such as
// "http://127.0.0.1:1234", or "" if the server was not started by New.
// The tgbotapi endpoint format is URL()+"/bot%s/%s".
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Endpoint returns the endpoint format for tgbotapi.NewBotAPIWithClient.
func (s *Server) Endpoint() string { return s.URL() + "/bot%s/%s" }

// Close ends pending long polls and, for a server started by New, stops
// listening. It is safe to call more than once.
func (s *Server) Close() {
	s.stop.Do(func() { close(s.done) })
	s.mu.Lock()
	ts := s.ts
	s.mu.Unlock()
	if ts != nil {
		ts.Close()
	}
}

// Handler returns the HTTP handler serving /bot<token>/<method>.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// params are a request's parameters; JSON values that are not strings keep
// their JSON text, as the form encoding of tgbotapi does.
type params map[string]string

// apiError is a failed Bot API response.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

type handlerFunc func(s *Server, ctx context.Context, p params) (any, *apiError)

// handlers maps canonical method names to their handlers.
var handlers = map[string]handlerFunc{
	"getMe":                  (*Server).getMe,
	"getUpdates":             (*Server).getUpdates,
	"sendMessage":            (*Server).sendMessage,
	"editMessageText":        (*Server).editMessageText,
	"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
	"deleteMessage":          (*Server).deleteMessage,
	"answerCallbackQuery":    (*Server).answerCallbackQuery,
	"setMyCommands":          (*Server).setMyCommands,
	"deleteMyCommands":       (*Server).deleteMyCommands,
	"deleteWebhook":          (*Server).deleteWebhook,
	"getWebhookInfo":         (*Server).getWebhookInfo,
	"sendChatAction":         (*Server).sendChatAction,
}

// lookupMethod finds a handler; Telegram ignores the case of method names.
func lookupMethod(name string) (string, handlerFunc, bool) {
	for canonical, fn := range handlers {
		if strings.EqualFold(canonical, name) {
			return canonical, fn, true
		}
	}
	return "", nil, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, name, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || name == "" || strings.Contains(name, "/") {
		s.reject(w, "", &apiError{code: http.StatusNotFound, desc: "Not Found"}, false)
		return
	}
	if token != s.token {
		writeJSON(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}, nil)
		return
	}
	method, fn, ok := lookupMethod(name)
	if !ok {
		s.mu.Lock()
		s.unexpected = append(s.unexpected, name)
		s.mu.Unlock()
		writeJSON(w, &apiError{code: http.StatusNotFound, desc: "Not Found"}, nil)
		return
	}
	p, err := readParams(r)
	if err != nil {
		s.reject(w, method, err, true)
		return
	}
	s.mu.Lock()
	s.calls[method]++
	var fault *Fault
	if q := s.faults[method]; len(q) > 0 {
		fault, s.faults[method] = &q[0], q[1:]
	}
	s.mu.Unlock()
	if fault != nil {
		writeJSON(w, &apiError{code: fault.Code, desc: fault.Description, retryAfter: fault.RetryAfter}, nil)
		return
	}
	result, aerr := fn(s, r.Context(), p)
	if r.Context().Err() != nil {
		return // the client is gone; a cancelled long poll is no rejection
	}
	if aerr != nil {
		s.reject(w, method, aerr, true)
		return
	}
	writeJSON(w, nil, result)
}

// reject answers with err and, if record is set, remembers it for Rejected.
func (s *Server) reject(w http.ResponseWriter, method string, err *apiError, record bool) {
	if record {
		s.mu.Lock()
		s.rejected = append(s.rejected, method+": "+err.desc)
		s.mu.Unlock()
	}
	writeJSON(w, err, nil)
}

func writeJSON(w http.ResponseWriter, aerr *apiError, result any) {
	w.Header().Set("Content-Type", "application/json")
	if aerr != nil {
		resp := tgbotapi.APIResponse{ErrorCode: aerr.code, Description: aerr.desc}
		if aerr.retryAfter > 0 {
			resp.Parameters = &tgbotapi.ResponseParameters{RetryAfter: aerr.retryAfter}
		}
		w.WriteHeader(aerr.code)
		_ = json.NewEncoder(w).Encode(resp)
		return
	}
	body, err := json.Marshal(result)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(tgbotapi.APIResponse{Ok: true, Result: body})
}

// readParams reads the query string and a form, multipart or JSON body.
func readParams(r *http.Request) (params, *apiError) {
	p := params{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	if r.Method != http.MethodPost {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]json.RawMessage
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
			return nil, badRequest("invalid JSON in request body")
		}
		for k, raw := range body {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				p[k] = str
			} else if string(raw) != "null" {
				p[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return nil, badRequest("invalid multipart body")
		}
		for k, v := range r.MultipartForm.Value {
			p[k] = v[0]
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, badRequest("invalid form body")
		}
		for k, v := range r.PostForm {
			p[k] = v[0]
		}
	}
	return p, nil
}

// changed wakes every waiter; s.mu must be held.
func (s *Server) changed() {
	close(s.wake)
	s.wake = make(chan struct{})
}
