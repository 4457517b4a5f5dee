package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

// doctorFixture is a configuration that passes every check: fake Telegram
// and Google on 127.0.0.1, a free HTTP_ADDR that PUBLIC_URL names, and a
// temporary directory for the database that is also the working directory.
type doctorFixture struct {
	tg     *telegramfake.Server
	g      *oauthfake.Server
	addr   string            // HTTP_ADDR, free
	other  string            // another free address, for what a row needs
	dir    string            // working directory and DB_PATH's directory
	dbPath string            // does not exist yet
	hosts  map[string]string // the test client's DNS: host:port → 127.0.0.1 address, "" for no such host
}

func newDoctorFixture(t *testing.T) *doctorFixture {
	t.Helper()
	clearEnv(t)
	f := &doctorFixture{addr: doctorAddr(t, ""), dir: t.TempDir(), hosts: map[string]string{}}
	f.other = doctorAddr(t, f.addr)
	t.Chdir(f.dir)
	f.dbPath = filepath.Join(f.dir, "calbot.db")
	f.tg = telegramfake.New(t, testBotToken)
	public := "http://" + f.addr
	f.g = oauthfake.New(t, testClientID, testClientSecret, public+"/oauth/callback")
	for k, v := range map[string]string{
		"TELEGRAM_BOT_TOKEN":   testBotToken,
		"TELEGRAM_API_URL":     f.tg.URL(),
		"PUBLIC_URL":           public,
		"GOOGLE_CLIENT_ID":     testClientID,
		"GOOGLE_CLIENT_SECRET": testClientSecret,
		"GOOGLE_TOKEN_URL":     f.g.TokenURL(),
		"SECRET_KEY":           testSecretKey,
		"HTTP_ADDR":            f.addr,
		"DB_PATH":              f.dbPath,
	} {
		t.Setenv(k, v)
	}
	return f
}

// doctorAddr returns a free 127.0.0.1 address other than not, with a port
// below the ephemeral range, so that neither a listener on port 0 nor an
// outgoing connection takes it before doctor listens there.
func doctorAddr(t *testing.T, not string) string {
	t.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if addr == not {
			continue
		}
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			return addr
		}
	}
	t.Fatal("no free port between 20000 and 32000")
	return ""
}

// doctor runs calbot doctor and returns its output with the fixture's
// directory and addresses as DIR, ADDR and OTHER.
func (f *doctorFixture) doctor(t *testing.T, args ...string) (string, error) {
	t.Helper()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if to, ok := f.hosts[addr]; ok {
			if to == "" {
				host, _, _ := net.SplitHostPort(addr)
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			addr = to
		}
		if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
			return nil, fmt.Errorf("test: no network beyond 127.0.0.1 (dial %s)", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	var out bytes.Buffer
	err := doctorWith(context.Background(), args, &out, &http.Client{Transport: tr})
	s := strings.NewReplacer(f.dir, "DIR", f.addr, "ADDR", f.other, "OTHER").Replace(out.String())
	return s, err
}

// seedLinks stores n linked chats in path, sealed with master.
func seedLinks(t *testing.T, path string, master []byte, n int) {
	t.Helper()
	seal, err := storage.SealKey(master)
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path, seal, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		l := storage.Link{ChatID: int64(1001 + i), UserID: int64(1001 + i), Sub: "1", Email: "a@example.com", RefreshToken: "1//0seed", LinkedAt: time.Now()}
		if _, _, err := db.PutLink(l); err != nil {
			t.Fatal(err)
		}
	}
}

// serveOn serves h on addr until the test ends: a calbot already running.
func serveOn(t *testing.T, addr string, h http.HandlerFunc) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
}

func mustDecodeKey(t *testing.T, s string) []byte {
	t.Helper()
	k, err := decodeKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var otherMaster = bytes.Repeat([]byte{7}, 32)

const (
	otherToken  = "987654321:AAOtherTokenTheFakeDoesNotKnow_xyzxyz"
	otherSecret = "GOCSPX-wrong-secret-for-tests"
)

func TestDoctorAllGood(t *testing.T) {
	f := newDoctorFixture(t)
	got, err := f.doctor(t)
	if err != nil {
		t.Errorf("doctor() error: %v", err)
	}
	want := `✓ configuration: complete
✓ telegram: token valid, bot @calbot_test_bot
✓ telegram: no webhook set, so long polling works
✓ google: client id and secret accepted by the token endpoint
✓ redirect URI: http://ADDR/oauth/callback — register exactly this under Authorized redirect URIs (Cloud Console → Clients → your Web client)
✓ callback reachable: http://ADDR/healthz answered, served by this doctor on HTTP_ADDR (ADDR)
✓ database: DIR/calbot.db does not exist yet; calbot creates it on first start (the directory is writable)
✓ secret key: SECRET_KEY set
No problems found.
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("doctor() output mismatch (-want +got):\n%s", diff)
	}
	if entries, _ := os.ReadDir(f.dir); len(entries) != 0 {
		t.Errorf("doctor() left files behind: %v", entries)
	}
}

func TestDoctorFromRun(t *testing.T) {
	newDoctorFixture(t)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"calbot", "doctor", "-timeout", "5s"}, &stdout, &stderr)
	if err != nil || !strings.HasPrefix(stdout.String(), "✓ configuration: complete\n") {
		t.Errorf("run(calbot doctor) = %v, output:\n%s", err, stdout.String())
	}
}

func TestDoctorHelp(t *testing.T) {
	var out bytes.Buffer
	if err := doctor(context.Background(), []string{"-h"}, &out); err != nil || !strings.Contains(out.String(), "-fix") {
		t.Errorf("doctor(-h) = %v, output:\n%s", err, out.String())
	}
	for _, args := range [][]string{{"now"}, {"-timeout", "0s"}, {"-fx"}} {
		if err := doctor(context.Background(), args, io.Discard); err == nil {
			t.Errorf("doctor(%q) = nil, want an error", args)
		}
	}
}

func TestDoctorConfig(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name: "configuration problems skip what needs them",
			setup: func(t *testing.T, f *doctorFixture) {
				unsetenv(t, "TELEGRAM_BOT_TOKEN")
				t.Setenv("PUBLIC_URL", "ftp://calbot.example.com")
			},
			want: []string{
				"✗ configuration: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token here",
				`✗ configuration: PUBLIC_URL "ftp://calbot.example.com" is not a plain http(s) base URL like https://calbot.example.com`,
				"– telegram: skipped: fix TELEGRAM_BOT_TOKEN first",
				"– google: skipped: fix PUBLIC_URL first",
				"– redirect URI: skipped: fix PUBLIC_URL first",
				"– callback reachable: skipped: fix PUBLIC_URL first",
				"✓ database: DIR/calbot.db does not exist yet; calbot creates it on first start (the directory is writable)",
				"✓ secret key: SECRET_KEY set",
			},
			wantErr: "2 problems found",
			after: func(t *testing.T, f *doctorFixture) {
				if n, m := f.tg.Calls("getMe"), f.g.Requests("authorization_code"); n+m != 0 {
					t.Errorf("skipped checks made requests: getMe %d, token %d", n, m)
				}
			},
		},
		{
			name: "bad key and no client secret",
			setup: func(t *testing.T, f *doctorFixture) {
				t.Setenv("SECRET_KEY", "c2hvcnQ=")
				unsetenv(t, "GOOGLE_CLIENT_SECRET")
			},
			want: []string{
				"✗ configuration: GOOGLE_CLIENT_SECRET is not set: …",
				"✗ configuration: SECRET_KEY decodes to 5 bytes, want 32: …",
				"✓ telegram: token valid, bot @calbot_test_bot",
				"– google: skipped: fix GOOGLE_CLIENT_SECRET first",
				"✓ callback reachable: http://ADDR/healthz answered, served by this doctor on HTTP_ADDR (ADDR)",
				"✓ database: DIR/calbot.db does not exist yet; calbot creates it on first start (the directory is writable)",
				"– secret key: skipped: fix SECRET_KEY first",
			},
			wantErr: "2 problems found",
		},
		{
			name: "settings from .env",
			setup: func(t *testing.T, f *doctorFixture) {
				unsetenv(t, "TELEGRAM_BOT_TOKEN")
				os.WriteFile(filepath.Join(f.dir, ".env"), []byte("TELEGRAM_BOT_TOKEN="+testBotToken+"\n"), 0o600)
			},
			want: []string{"✓ configuration: complete", "✓ telegram: token valid, bot @calbot_test_bot"},
		},
		{
			name: "broken .env",
			setup: func(t *testing.T, f *doctorFixture) {
				os.WriteFile(filepath.Join(f.dir, ".env"), []byte("LOG-LEVEL=debug\n"), 0o600)
			},
			want: []string{
				"✗ configuration: .env is not a valid .env file: each line must be KEY=value or a # comment (quote values with spaces or #)",
				"✓ telegram: token valid, bot @calbot_test_bot",
			},
			wantErr: "1 problem found",
		},
	})
}

func TestDoctorPublicURL(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name: "http PUBLIC_URL for a public host",
			setup: func(t *testing.T, f *doctorFixture) {
				t.Setenv("PUBLIC_URL", "http://calbot.example.com")
				f.hosts["calbot.example.com:80"] = f.addr
			},
			want: []string{
				"✓ redirect URI: http://calbot.example.com/oauth/callback — register exactly this under Authorized redirect URIs (Cloud Console → Clients → your Web client)",
				`! redirect URI: PUBLIC_URL is http://calbot.example.com: Google accepts http only for localhost; use https, with a reverse proxy that terminates TLS (README: "HTTPS")`,
				"✓ callback reachable: http://calbot.example.com/healthz answered, served by this doctor on HTTP_ADDR (ADDR)",
				"No problems found; read the 1 warning marked !.",
			},
		},
		{
			name: "path the proxy does not strip",
			setup: func(t *testing.T, f *doctorFixture) {
				t.Setenv("PUBLIC_URL", "http://"+f.addr+"/calbot")
			},
			want: []string{
				"✓ redirect URI: http://ADDR/calbot/oauth/callback — register exactly this under Authorized redirect URIs (Cloud Console → Clients → your Web client)",
				"! redirect URI: PUBLIC_URL has the path /calbot: calbot serves /oauth/callback and /healthz at its root, so the reverse proxy must strip /calbot before forwarding to HTTP_ADDR",
				"✗ callback reachable: http://ADDR/calbot/healthz reached HTTP_ADDR as /calbot/healthz, not /healthz. Fix: the reverse proxy must strip the path of PUBLIC_URL before forwarding",
			},
			wantErr: "1 problem found",
		},
		{
			name:  "trailing slash",
			setup: func(t *testing.T, f *doctorFixture) { t.Setenv("PUBLIC_URL", "http://"+f.addr+"/") },
			want: []string{
				"✓ redirect URI: http://ADDR/oauth/callback — register exactly this…",
				`! redirect URI: PUBLIC_URL ends in "/": calbot drops it, so the URI to register is http://ADDR/oauth/callback, with no double slash`,
				"✓ callback reachable: http://ADDR/healthz answered, served by this doctor on HTTP_ADDR (ADDR)",
			},
		},
		{
			name: "https to a plain http port, by IP address",
			setup: func(t *testing.T, f *doctorFixture) {
				t.Setenv("PUBLIC_URL", "https://203.0.113.7")
				f.hosts["203.0.113.7:443"] = f.addr
			},
			want: []string{
				"! redirect URI: PUBLIC_URL names the IP address 203.0.113.7: Google accepts no IP address but localhost's in a redirect URI; use a domain name that points here",
				"✗ callback reachable: https://203.0.113.7/healthz did not answer: …Fix: HTTPS: 203.0.113.7 does not speak TLS; PUBLIC_URL says https but the port serves plain http, or the other way round",
			},
			wantErr: "1 problem found",
		},
		{
			name: "certificate not trusted",
			setup: func(t *testing.T, f *doctorFixture) {
				t.Setenv("PUBLIC_URL", "https://calbot.example.com")
				ts := httptest.NewUnstartedServer(http.NotFoundHandler())
				ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake fails, as it should
				ts.StartTLS()
				t.Cleanup(ts.Close)
				f.hosts["calbot.example.com:443"] = ts.Listener.Addr().String()
			},
			want: []string{
				"✗ callback reachable: https://calbot.example.com/healthz did not answer: tls: failed to verify certificate: x509: certificate signed by unknown authority. Fix: HTTPS: the certificate for calbot.example.com is not valid; let the reverse proxy get one (Caddy does by itself)",
			},
			wantErr: "1 problem found",
		},
		{
			name: "no DNS record",
			setup: func(t *testing.T, f *doctorFixture) {
				t.Setenv("PUBLIC_URL", "https://calbot.example.com")
				f.hosts["calbot.example.com:443"] = ""
			},
			want: []string{
				"✗ callback reachable: https://calbot.example.com/healthz did not answer: …Fix: DNS: make calbot.example.com resolve to this server (or to the reverse proxy in front of it)",
			},
			wantErr: "1 problem found",
		},
		{
			name:  "PUBLIC_URL unreachable",
			setup: func(t *testing.T, f *doctorFixture) { t.Setenv("PUBLIC_URL", "http://"+f.other) },
			want: []string{
				"✗ callback reachable: http://OTHER/healthz did not answer: dial tcp OTHER: connect: connection refused. Fix: nothing accepts connections at OTHER: start the reverse proxy, or open the port in the firewall",
			},
			wantErr: "1 problem found",
		},
		{
			name: "calbot running",
			setup: func(t *testing.T, f *doctorFixture) {
				serveOn(t, f.other, func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
				t.Setenv("HTTP_ADDR", f.other)
				t.Setenv("PUBLIC_URL", "http://"+f.other)
			},
			want: []string{"✓ callback reachable: http://OTHER/healthz answered ok; HTTP_ADDR (OTHER) is in use, presumably by the running calbot"},
		},
		{
			name: "calbot running but unhealthy",
			setup: func(t *testing.T, f *doctorFixture) {
				serveOn(t, f.other, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "telegram: no successful poll recently", http.StatusServiceUnavailable)
				})
				t.Setenv("HTTP_ADDR", f.other)
				t.Setenv("PUBLIC_URL", "http://"+f.other)
			},
			want: []string{"! callback reachable: http://OTHER/healthz reached a running calbot, which is not healthy: telegram: no successful poll recently"},
		},
		{
			name: "another program on HTTP_ADDR",
			setup: func(t *testing.T, f *doctorFixture) {
				serveOn(t, f.other, http.NotFound)
				t.Setenv("HTTP_ADDR", f.other)
				t.Setenv("PUBLIC_URL", "http://"+f.other)
			},
			want:    []string{"✗ callback reachable: http://OTHER/healthz answered 404, not like calbot; HTTP_ADDR (OTHER) is in use. Fix: …"},
			wantErr: "1 problem found",
		},
	})
}

// doctorCase is one configuration fault and what doctor must say about it.
type doctorCase struct {
	name  string
	setup func(t *testing.T, f *doctorFixture) // breaks the fixture
	args  []string
	// want are lines the output must have; see lineMatches.
	want    []string
	wantErr string // "" for success
	after   func(t *testing.T, f *doctorFixture)
}

// checkDoctor runs doctor for each case against a fresh fixture and checks
// its lines, its error, and that it printed no secret.
func checkDoctor(t *testing.T, tests []doctorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDoctorFixture(t)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			got, err := f.doctor(t, tt.args...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("doctor(%q) error: %v", tt.args, err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)):
				t.Errorf("doctor(%q) error = %v, want %q", tt.args, err, tt.wantErr)
			}
			for _, want := range tt.want {
				if !slices.ContainsFunc(strings.Split(got, "\n"), func(l string) bool { return lineMatches(l, want) }) {
					t.Errorf("doctor(%q) output lacks the line\n%s\noutput:\n%s", tt.args, want, got)
				}
			}
			for _, secret := range []string{testBotToken, testClientSecret, testSecretKey, otherToken, otherSecret} {
				if strings.Contains(got, secret) || err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("doctor(%q) output repeats the secret %q:\n%s", tt.args, secret, got)
				}
			}
			if tt.after != nil {
				tt.after(t, f)
			}
		})
	}
}

// lineMatches reports whether line is want, where a "…" in want stands for
// any text, such as an error from the operating system.
func lineMatches(line, want string) bool {
	before, after, ok := strings.Cut(want, "…")
	if !ok {
		return line == want
	}
	return len(line) >= len(before)+len(after) && strings.HasPrefix(line, before) && strings.HasSuffix(line, after)
}
