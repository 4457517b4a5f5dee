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

func TestSandboxFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for none
	}{
		{"help", []string{"-h"}, ""},
		{"unknown language", []string{"-lang", "de"}, `-lang "de"`},
		{"address elsewhere", []string{"-addr", "0.0.0.0:0"}, "this machine only"},
		{"not an address", []string{"-addr", "8080"}, "not host:port"},
		{"stray argument", []string{"now"}, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := sandbox(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("sandbox(%q) = %v, want an error with %q", tt.args, err, tt.wantErr)
			}
			if tt.wantErr == "" && !strings.Contains(errOut.String(), "Usage: calbot sandbox") {
				t.Errorf("sandbox -h printed %q, want the usage", errOut.String())
			}
		})
	}
}

func TestSandboxPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ansi     bool
		want     string
	}{
		{"entities", "Standup &lt;team&gt; &amp; &#34;co&#34;", false, `Standup <team> & "co"`},
		{"bold plain", "Connected as <b>you@example.com</b>.", false, "Connected as you@example.com."},
		{"bold on a terminal", "<b>all day</b>", true, "\x1b[1mall day\x1b[22m"},
		{"link", `<a href="https://x.example/e?a=1&amp;b=2">Lunch</a>`, false, "Lunch <https://x.example/e?a=1&b=2>"},
		{"link that is its own text", `<a href="https://x.example/">https://x.example/</a>`, false, "https://x.example/"},
		{"struck through", "<s>Added Lunch</s>\n\nUndone", false, "Added Lunch\n\nUndone"},
		{"code", "<code>/add Lunch tomorrow 13:00</code>", false, "/add Lunch tomorrow 13:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxPlainText(tt.in, tt.ansi); got != tt.want {
				t.Errorf("sandboxPlainText(%q, %v) = %q, want %q", tt.in, tt.ansi, got, tt.want)
			}
		})
	}
}

func TestSandboxZoneName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                          string
		local, tz, etc, localtimeLink string
		want                          string
	}{
		{"TZ set", "Europe/Moscow", "Europe/Moscow", "", "", "Europe/Moscow"},
		{"from /etc/localtime, Debian", "Local", "", "Europe/Berlin\n", "/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"},
		{"from /etc/localtime, macOS", "Local", "", "", "/var/db/timezone/zoneinfo/America/New_York", "America/New_York"},
		{"TZ as a path", "Local", ":/usr/share/zoneinfo/Asia/Tokyo", "", "", "Asia/Tokyo"},
		{"nothing known", "Local", "", "", "", "UTC"},
		{"garbage", "Local", "Mars/Olympus", "../../etc/passwd", "/etc/zoneinfo-not", "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxZoneName(tt.local, tt.tz, tt.etc, tt.localtimeLink); got != tt.want {
				t.Errorf("sandboxZoneName(%q, %q, %q, %q) = %q, want %q", tt.local, tt.tz, tt.etc, tt.localtimeLink, got, tt.want)
			}
		})
	}
}

func TestSandboxUserLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"russian", map[string]string{"LANG": "ru_RU.UTF-8"}, "ru"},
		{"english", map[string]string{"LANG": "en_GB.UTF-8"}, "en"},
		{"LC_ALL wins", map[string]string{"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"},
		{"C locale", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"nothing set", nil, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sandboxUserLang(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("sandboxUserLang(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}

func TestSandboxConsentChoice(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"A": "allow", "allow": "allow", "р": "allow", "Разрешить": "allow", "ф": "allow",
		"d": "deny", "О": "deny", "в": "deny", "no": "deny",
		"u": "untick", "С": "untick",
		"": "", "maybe": "", "/today": "", "/quit": "/quit",
	} {
		if got := sandboxConsentChoice(in); got != want {
			t.Errorf("sandboxConsentChoice(%q) = %q, want %q", in, got, want)
		}
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
	go func() { s.done <- sandbox(ctx, args, pr, s.out, s.out) }()
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
