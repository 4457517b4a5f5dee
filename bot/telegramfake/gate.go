package telegramfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Gate is an http.Handler to serve in front of a Server's Handler when the
// bot is under load: it can enforce Telegram's flood limits on sendMessage
// (SetLimits) and report every message sent with the moment its request
// arrived (OnSend). With neither set it passes every request through
// unchanged. The Server itself behaves the same with or without a Gate.
// A Gate is safe for concurrent use.
type Gate struct {
	s    *Server
	next http.Handler

	mu      sync.Mutex
	global  int           // sends accepted per second overall; 0: no limit
	perChat time.Duration // least gap between sends to one chat; 0: no limit
	window  []time.Time   // accepted sends of the last second, oldest first
	last    map[int64]time.Time
	tooMany int
	onSend  func(SentMessage, time.Time)
}

// Gate returns a Gate in front of s.Handler().
func (s *Server) Gate() *Gate {
	return &Gate{s: s, next: s.Handler(), last: make(map[int64]time.Time)}
}

// SetLimits makes the gate refuse a sendMessage that would be the
// global+1st accepted in any one second, or that comes less than perChat
// after the last one accepted for the same chat, as Telegram does: 429 Too
// Many Requests with parameters.retry_after in whole seconds. Refused
// requests never reach the Server (its Calls does not count them); TooMany
// does. Zero switches a limit off. Telegram's published limits are
// SetLimits(30, time.Second).
func (g *Gate) SetLimits(global int, perChat time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.global, g.perChat = global, perChat
}

// OnSend makes the gate call fn after every sendMessage the Server
// accepted, with the message as Messages would show it and the time its
// request arrived at the gate. fn runs on the request's goroutine, before
// the bot reads the response: keep it short. nil removes the hook.
func (g *Gate) OnSend(fn func(m SentMessage, arrived time.Time)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.onSend = fn
}

// TooMany returns how many requests the limits refused.
func (g *Gate) TooMany() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tooMany
}

func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	g.mu.Lock()
	limited, onSend := g.global > 0 || g.perChat > 0, g.onSend
	g.mu.Unlock()
	if (!limited && onSend == nil) || !isSendMessage(r.URL.Path) {
		g.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body.Close()
	if err != nil {
		writeJSON(w, badRequest("unreadable request body"), nil)
		return
	}
	peek := r.Clone(r.Context())
	peek.Body = io.NopCloser(bytes.NewReader(body))
	p, aerr := readParams(peek)
	chatID, perr := strconv.ParseInt(p["chat_id"], 10, 64)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if aerr != nil || perr != nil {
		g.next.ServeHTTP(w, r) // the Server answers the bad request
		return
	}
	if wait := g.admit(chatID, arrived); wait > 0 {
		writeJSON(w, &apiError{
			code:       http.StatusTooManyRequests,
			desc:       fmt.Sprintf("Too Many Requests: retry after %d", wait),
			retryAfter: wait,
		}, nil)
		return
	}
	if onSend == nil {
		g.next.ServeHTTP(w, r)
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	g.next.ServeHTTP(rec, r)
	if rec.status != http.StatusOK {
		return
	}
	var resp struct {
		Ok     bool             `json:"ok"`
		Result tgbotapi.Message `json:"result"`
	}
	if json.Unmarshal(rec.body.Bytes(), &resp) != nil || !resp.Ok {
		return
	}
	if m, ok := g.s.Message(chatID, resp.Result.MessageID); ok {
		onSend(m, arrived)
	}
}

// admit reserves a send to chatID at now under the limits, or returns the
// whole seconds to wait, at least 1.
func (g *Gate) admit(chatID int64, now time.Time) (retryAfter int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := 0
	for i < len(g.window) && now.Sub(g.window[i]) >= time.Second {
		i++
	}
	g.window = g.window[i:]
	var wait time.Duration
	if g.global > 0 && len(g.window) >= g.global {
		wait = g.window[len(g.window)-g.global].Add(time.Second).Sub(now)
	}
	if last, ok := g.last[chatID]; ok && g.perChat > 0 && now.Sub(last) < g.perChat {
		wait = max(wait, last.Add(g.perChat).Sub(now))
	}
	if wait > 0 {
		g.tooMany++
		return max(1, int((wait+time.Second-1)/time.Second))
	}
	g.window = append(g.window, now)
	g.last[chatID] = now
	return 0
}

// isSendMessage reports whether path is /bot<token>/sendMessage, in any case.
func isSendMessage(path string) bool {
	i := strings.LastIndexByte(path, '/')
	return i >= 0 && strings.EqualFold(path[i+1:], "sendMessage")
}

// recorder passes a response on and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
