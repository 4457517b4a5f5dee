package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calbot/calbot/internal/sandbox"
)

// TestSandboxStory types the README's tour into the sandbox, in both
// languages, and reads what the terminal shows. The English run leaves with
// /quit, the Russian one at the end of its input (Ctrl-D).
func TestSandboxStory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, lang string
		steps      []sandboxStep
		quit       string // the line that ends the session; "" closes the input
		bye        string
	}{
		{"english", "en", []sandboxStep{
			{"/connect", []string{"[1] Connect Google Calendar <http://127.0.0.1:", "/oauth/start?state="}},
			{"1", []string{"Google (sandbox) asks: allow calbot to see and edit events in you@example.com's calendars?"}},
			{"A", []string{"Connected as you@example.com. Not you? /disconnect", "browser: Connected"}},
			{"/today", []string{"Today, ", "Standup <https://www.google.com/calendar/event?eid=", "📍 Room 4, second floor"}},
			{"/add Lunch tomorrow 13:00", []string{"Added Lunch", "13:00–14:00", "[1] Undo  [2] Open in Google Calendar <https://"}},
			{"1", []string{"Telegram shows: Deleted", "calbot edited a message:", "Undone: the event was deleted from your calendar."}},
			{"/disconnect", []string{"Disconnected you@example.com."}},
		}, "/quit", "Bye. The sandbox has stopped and deleted its temporary files."},
		{"russian", "ru", []sandboxStep{
			{"/connect", []string{"[1] Подключить Google Календарь <http://127.0.0.1:"}},
			{"1", []string{"Google (песочница) спрашивает"}},
			{"р", []string{"Подключено: you@example.com. Это не вы? /disconnect", "браузер: Календарь подключён"}},
			{"/today", []string{"Сегодня, ", "Планёрка", "📍 Переговорная 4, второй этаж"}},
			{"/add Обед завтра 13:00", []string{"Добавлено: Обед", "[1] Отменить"}},
			{"1", []string{"Telegram показывает: Удалено", "Отменено: событие удалено из календаря."}},
			{"/disconnect", []string{"Отключено: you@example.com."}},
		}, "", "Пока. Песочница остановлена, её временные файлы удалены."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startSandbox(t, "-lang", tt.lang)
			dir := s.tempDir()
			for _, st := range tt.steps {
				s.say(st.line)
				s.expect(st.want...)
			}
			if log, err := os.ReadFile(filepath.Join(dir, "calbot.log")); err != nil || !bytes.Contains(log, []byte("calbot started")) {
				t.Errorf("calbot's log in %s: %v; it says:\n%s", dir, err, log)
			}
			if tt.quit != "" {
				s.say(tt.quit)
			} else {
				s.in.Close()
			}
			if err := s.wait(); err != nil {
				t.Errorf("sandbox returned %v, want nil", err)
			}
			s.expect(tt.bye)
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the sandbox left %s behind (Stat: %v)", dir, err)
			}
		})
	}
}

// TestSandboxConsent answers the consent question the ways that link
// nothing (TestSandboxStory allows), and types something that is no answer
// first.
func TestSandboxConsent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, answer   string
		wantChat, page string
		thenToday      string
	}{
		{"deny", "d", "Google sign-in was cancelled, so nothing was linked.", "browser: Calendar not connected", "No Google Calendar is linked to this chat yet."},
		{"untick calendar", "U", "calbot did not get access to your calendar", "browser: Calendar access was not granted", "No Google Calendar is linked to this chat yet."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startSandbox(t, "-lang", "en")
			s.say("/connect")
			s.expect("[1] Connect Google Calendar")
			s.say("1")
			s.expect("[A]llow / [D]eny / [U]ntick calendar")
			s.say("maybe")
			s.expect("Type A to allow, D to deny, or U")
			s.say(tt.answer)
			s.expect(tt.wantChat, tt.page)
			s.say("/today")
			s.expect(tt.thenToday)
			s.say("1") // the sign-in link again: it was used up
			s.expect("browser: This sign-in link is no longer valid")
			s.cancel() // Ctrl-C
			if err := s.wait(); err != nil {
				t.Errorf("sandbox returned %v after Ctrl-C, want nil", err)
			}
		})
	}
}

func TestSandboxButtonsOutOfReach(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, "-lang", "en")
	s.say("1")
	s.expect("No message in the chat has buttons.")
	s.say("/connect")
	s.expect("[1] Connect Google Calendar")
	s.say("7")
	s.expect("There is no button 7: the latest message with buttons has 1.")
	s.say("/quit")
	if err := s.wait(); err != nil {
		t.Errorf("sandbox returned %v, want nil", err)
	}
}

// TestSandboxKeepsDatabase runs the sandbox twice on one -db file: the
// second calbot must still hear the chat, although the stand-in Telegram
// numbers its updates from the start again.
func TestSandboxKeepsDatabase(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "sandbox.db")
	for run := 1; run <= 2; run++ {
		s := startSandbox(t, "-lang", "en", "-db", db)
		s.say("/today")
		s.expect("No Google Calendar is linked to this chat yet.")
		s.say("/quit")
		if err := s.wait(); err != nil {
			t.Fatalf("run %d: sandbox returned %v, want nil", run, err)
		}
		s.expect("calbot's database stays in " + db)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the database is gone: %v", err)
	}
}

// sandboxStep is a line typed into the sandbox and what must show up after it.
type sandboxStep struct {
	line string
	want []string
}

// sandboxSession is a sandbox running in this process: the test types into
// in and waits for what appears on out.
type sandboxSession struct {
	t      *testing.T
	in     *io.PipeWriter
	out    *watchedBuffer
	seen   int // out before it has been matched
	cancel context.CancelFunc
	done   chan error
}

func startSandbox(t *testing.T, args ...string) *sandboxSession {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &sandboxSession{t: t, in: pw, out: newWatchedBuffer(), cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- sandbox.Run(ctx, args, pr, s.out, s.out, sandboxServe) }()
	t.Cleanup(func() {
		cancel()
		pw.Close()
		select {
		case <-s.done:
		case <-time.After(waitFor):
			t.Errorf("the sandbox did not stop within %v of Ctrl-C", waitFor)
		}
		if t.Failed() {
			t.Logf("the terminal showed:\n%s", s.out.String())
		}
	})
	s.expect("@calbot_sandbox_bot", "calbot.log (") // one write
	return s
}

// tempDir returns the temporary directory the sandbox says it uses.
func (s *sandboxSession) tempDir() string {
	s.t.Helper()
	m := regexp.MustCompile(`(\S+)` + regexp.QuoteMeta(string(filepath.Separator)) + `calbot\.log`).FindStringSubmatch(s.out.String())
	if m == nil {
		s.t.Fatal("the sandbox does not say where calbot's log is")
	}
	return m[1]
}

// say types line and Enter.
func (s *sandboxSession) say(line string) {
	s.t.Helper()
	written := make(chan error, 1)
	go func() { _, err := io.WriteString(s.in, line+"\n"); written <- err }()
	select {
	case err := <-written:
		if err != nil {
			s.t.Fatalf("type %q: %v", line, err)
		}
	case <-time.After(waitFor):
		s.t.Fatalf("the sandbox did not read %q within %v", line, waitFor)
	}
}

// expect waits until every one of want has appeared on the terminal since
// the last expect, in any order, and moves past them.
func (s *sandboxSession) expect(want ...string) {
	s.t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		text, changed := s.out.since(s.seen)
		end, missing := 0, ""
		for _, w := range want {
			i := strings.Index(text, w)
			if i < 0 {
				missing = w
				break
			}
			end = max(end, i+len(w))
		}
		if missing == "" {
			s.seen += end
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("the terminal did not show %q within %v; since the last check it showed:\n%s", missing, waitFor, text)
		}
	}
}

// wait returns what sandbox returned.
func (s *sandboxSession) wait() error {
	s.t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for Cleanup
		return err
	case <-time.After(waitFor):
		s.t.Fatalf("the sandbox did not return within %v", waitFor)
		return nil
	}
}

// watchedBuffer is a terminal that tests can wait on.
type watchedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{changed: make(chan struct{})} }

func (b *watchedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.changed)
	b.changed = make(chan struct{})
	return b.buf.Write(p)
}

func (b *watchedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// since returns what was written after the first n bytes, and a channel
// closed by the next write.
func (b *watchedBuffer) since(n int) (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf.Bytes()[n:]), b.changed
}
