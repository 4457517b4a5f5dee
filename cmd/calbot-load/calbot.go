package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/calbot/calbot/storage"
)

// masterKey is SECRET_KEY: fixed, so the tool can seal what calbot opens.
var masterKey = bytes.Repeat([]byte{0x5a}, 32)

// buildCalbot builds the release binary into dir with deploy/build.sh, as CI
// and the container image do, and returns its path.
func buildCalbot(dir string) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "calbot")
	cmd := exec.Command("bash", "deploy/build.sh", bin)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("deploy/build.sh: %v\n%s", err, out)
	}
	return bin, nil
}

// repoRoot finds the calbot module above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(mod, []byte("module github.com/calbot/calbot\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the calbot repository: run from it, or pass -calbot")
		}
		dir = parent
	}
}

// seed writes links into a new database at path, sealed as calbot seals them.
func seed(path string, links []storage.Link, settings func(i int, st *storage.Settings)) error {
	key, err := storage.SealKey(masterKey)
	if err != nil {
		return err
	}
	db, err := storage.Open(path, key, storage.Options{LockTimeout: time.Second})
	if err != nil {
		return err
	}
	if settings != nil {
		for i, l := range links {
			if err := db.UpdateSettings(l.ChatID, func(st *storage.Settings) { settings(i, st) }); err != nil {
				db.Close()
				return err
			}
		}
	}
	const chunk = 20000
	for len(links) > 0 {
		n := min(chunk, len(links))
		if err := db.PutLinks(links[:n]); err != nil {
			db.Close()
			return err
		}
		links = links[n:]
	}
	return db.Close()
}

// environ is calbot's whole configuration: nothing is inherited.
func environ(f *fakes, dbPath string, extra map[string]string) []string {
	env := map[string]string{
		"TELEGRAM_BOT_TOKEN":   botToken,
		"PUBLIC_URL":           "http://" + f.calbotAddr,
		"GOOGLE_CLIENT_ID":     clientID,
		"GOOGLE_CLIENT_SECRET": clientSecret,
		"SECRET_KEY":           base64.StdEncoding.EncodeToString(masterKey),
		"HTTP_ADDR":            f.calbotAddr,
		"DB_PATH":              dbPath,
		"LOG_LEVEL":            "warn",
		"TELEGRAM_API_URL":     f.tgURL,
		"GOOGLE_AUTH_URL":      f.gURL + "/o/oauth2/v2/auth",
		"GOOGLE_TOKEN_URL":     f.gURL + "/token",
		"GOOGLE_REVOKE_URL":    f.gURL + "/revoke",
		"GOOGLE_CALENDAR_URL":  f.calURL + "/calendar/v3/",
	}
	for k, v := range extra {
		env[k] = v
	}
	var out []string
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// process is a running calbot.
type process struct {
	cmd     *exec.Cmd
	started time.Time
	log     *logBuffer
	exited  chan struct{}
	err     error // set when exited is closed
}

func startCalbot(bin, dir string, env []string) (*process, error) {
	cmd := exec.Command(bin)
	cmd.Dir = dir // no .env there
	cmd.Env = env
	p := &process{cmd: cmd, log: &logBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start calbot: %w", err)
	}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// stop sends SIGTERM and waits for calbot to exit, killing it after 20s.
func (p *process) stop() error {
	select {
	case <-p.exited:
		return fmt.Errorf("calbot exited early: %v", p.err)
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.err
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return errors.New("calbot did not stop within 20s of SIGTERM; killed")
	}
}

// memory is calbot's memory from /proc/<pid>/status, in bytes.
type memory struct{ rss, hwm, anon, file int64 }

func (p *process) memory() (memory, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmRSS":
			m.rss = kb << 10
		case "VmHWM":
			m.hwm = kb << 10
		case "RssAnon":
			m.anon = kb << 10
		case "RssFile":
			m.file = kb << 10
		}
	}
	return m, nil
}

// cpu returns the processor time calbot used so far, user and system.
func (p *process) cpu() (time.Duration, error) {
	user, kernel, err := p.cpuTimes()
	return user + kernel, err
}

// cpuTimes is the processor time calbot used so far in its own code and in
// the kernel on its behalf (system calls: network, futexes, page faults).
func (p *process) cpuTimes() (user, kernel time.Duration, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	// Fields after the parenthesised command name; utime and stime are the
	// 14th and 15th fields of the whole line, in clock ticks (100 a second
	// on Linux).
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0, errors.New("unreadable /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut) * 10 * time.Millisecond, time.Duration(st) * 10 * time.Millisecond, nil
}

// selfCPU is the processor time this process (load driver and fakes) used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// logBuffer keeps what calbot writes, up to 1 MiB.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() < 1<<20 {
		b.buf.Write(p)
	}
	return len(p), nil
}

// lines returns the log's non-empty lines.
func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for l := range strings.Lines(b.buf.String()) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
