package doctor

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
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

// Made-up credentials, in the shapes calbot checks for.
const (
	testBotToken     = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
	testClientID     = "123-test.apps.googleusercontent.com"
	testClientSecret = "GOCSPX-fake-secret-for-tests"
	testSecretKey    = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // "0123456789abcdef0123456789abcdef"
)

// doctorFixture is a configuration that passes every check: fake Telegram
// and Google on 127.0.0.1, a free HTTP_ADDR that PUBLIC_URL names, and a
// temporary directory for the database that is also the working directory.
type doctorFixture struct {
	tg     *telegramfake.Server
	g      *oauthfake.Server
	cfg    Config            // what load returns; KeyFile follows DBPath
	addr   string            // HTTP_ADDR, free
	other  string            // another free address, for what a row needs
	dir    string            // working directory and DB_PATH's directory
	dbPath string            // does not exist yet
	hosts  map[string]string // the test client's DNS: host:port → 127.0.0.1 address, "" for no such host
}

func newDoctorFixture(t *testing.T) *doctorFixture {
	t.Helper()
	f := &doctorFixture{addr: doctorAddr(t, ""), dir: t.TempDir(), hosts: map[string]string{}}
	f.other = doctorAddr(t, f.addr)
	t.Chdir(f.dir)
	f.dbPath = filepath.Join(f.dir, "calbot.db")
	f.tg = telegramfake.New(t, testBotToken)
	public := "http://" + f.addr
	f.g = oauthfake.New(t, testClientID, testClientSecret, public+"/oauth/callback")
	// Doctor tests the client with a made-up code on purpose.
	f.g.Tolerate("POST /token: ")
	f.cfg = Config{
		TelegramBotToken: testBotToken, TelegramAPIURL: f.tg.URL(),
		GoogleClientID: testClientID, GoogleClientSecret: testClientSecret, GoogleTokenURL: f.g.TokenURL(),
		HTTPAddr: f.addr, DBPath: f.dbPath,
		DecodeKey: decodeKey,
		Secrets:   []string{testBotToken, testClientSecret, testSecretKey},
	}
	f.set("PUBLIC_URL", public)
	f.set("SECRET_KEY", testSecretKey)
	return f
}

// set gives the variable name the valid value v ("": unset), as calbot's
// configuration would hand it over.
func (f *doctorFixture) set(name, v string) {
	c := &f.cfg
	switch name {
	case "TELEGRAM_BOT_TOKEN":
		c.TelegramBotToken = v
	case "TELEGRAM_API_URL":
		c.TelegramAPIURL = v
	case "PUBLIC_URL":
		c.PublicURL, c.RawPublicURL = strings.TrimRight(v, "/"), v
	case "GOOGLE_CLIENT_ID":
		c.GoogleClientID = v
	case "GOOGLE_CLIENT_SECRET":
		c.GoogleClientSecret = v
	case "GOOGLE_CREDENTIALS_FILE":
		c.GoogleCredentialsFile = v
	case "GOOGLE_TOKEN_URL":
		c.GoogleTokenURL = v
	case "SECRET_KEY":
		c.SecretKey = nil
		if v != "" {
			c.SecretKey, _ = decodeKey(v)
		}
	case "HTTP_ADDR":
		c.HTTPAddr = v
	case "DB_PATH":
		c.DBPath = v
	default:
		panic("doctorFixture.set: unknown variable " + name)
	}
}

// decodeKey reads a key file's base64 as calbot does.
func decodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("is not base64")
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("decodes to %d bytes, want 32", len(k))
	}
	return k, nil
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
	load := func() Config {
		cfg := f.cfg
		cfg.KeyFile = cfg.DBPath + ".key"
		return cfg
	}
	err := Run(context.Background(), args, &out, &http.Client{Transport: tr}, load)
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
✓ sign-in: local development over http: /oauth/start shows a page naming the Telegram account before Google (login_url buttons need https and a domain)
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

func TestDoctorHelp(t *testing.T) {
	var out bytes.Buffer
	load := func() Config {
		t.Error("doctor read the configuration for bad flags or -h")
		return Config{}
	}
	if err := Run(context.Background(), []string{"-h"}, &out, nil, load); err != nil || !strings.Contains(out.String(), "-fix") {
		t.Errorf("doctor(-h) = %v, output:\n%s", err, out.String())
	}
	for _, args := range [][]string{{"now"}, {"-timeout", "0s"}, {"-fx"}} {
		if err := Run(context.Background(), args, io.Discard, nil, load); err == nil {
			t.Errorf("doctor(%q) = nil, want an error", args)
		}
	}
}

func TestDoctorConfig(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name: "configuration problems skip what needs them",
			setup: func(t *testing.T, f *doctorFixture) {
				f.cfg.Problems = []Problem{
					{[]string{"TELEGRAM_BOT_TOKEN"}, "TELEGRAM_BOT_TOKEN is not set"},
					{[]string{"PUBLIC_URL"}, "PUBLIC_URL is not a URL"},
				}
			},
			want: []string{
				"✗ configuration: TELEGRAM_BOT_TOKEN is not set",
				"✗ configuration: PUBLIC_URL is not a URL",
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
				f.cfg.Problems = []Problem{
					{[]string{"GOOGLE_CLIENT_SECRET"}, "GOOGLE_CLIENT_SECRET is not set"},
					{[]string{"SECRET_KEY"}, "SECRET_KEY decodes to 5 bytes, want 32"},
				}
			},
			want: []string{
				"✗ configuration: GOOGLE_CLIENT_SECRET is not set",
				"✗ configuration: SECRET_KEY decodes to 5 bytes, want 32",
				"✓ telegram: token valid, bot @calbot_test_bot",
				"– google: skipped: fix GOOGLE_CLIENT_SECRET first",
				"✓ callback reachable: http://ADDR/healthz answered, served by this doctor on HTTP_ADDR (ADDR)",
				"✓ database: DIR/calbot.db does not exist yet; calbot creates it on first start (the directory is writable)",
				"– secret key: skipped: fix SECRET_KEY first",
			},
			wantErr: "2 problems found",
		},
		{
			name: "a warning",
			setup: func(t *testing.T, f *doctorFixture) {
				f.cfg.Warnings = []string{"GOOGLE_CREDENTIALS_FILE lists no redirect URI"}
			},
			want: []string{
				"! configuration: GOOGLE_CREDENTIALS_FILE lists no redirect URI",
				"✓ configuration: complete",
				"No problems found; read the 1 warning marked !.",
			},
		},
		{
			name: "a problem that names no variable",
			setup: func(t *testing.T, f *doctorFixture) {
				f.cfg.Problems = []Problem{{nil, ".env is not a valid .env file"}}
			},
			want: []string{
				"✗ configuration: .env is not a valid .env file",
				"✓ telegram: token valid, bot @calbot_test_bot",
			},
			wantErr: "1 problem found",
		},
	})
}

func TestDoctorPublicURL(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name: "callback through a host name",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("PUBLIC_URL", "http://calbot.example.com")
				f.hosts["calbot.example.com:80"] = f.addr
			},
			want: []string{
				"✓ redirect URI: http://calbot.example.com/oauth/callback — register exactly this under Authorized redirect URIs (Cloud Console → Clients → your Web client)",
				"✓ callback reachable: http://calbot.example.com/healthz answered, served by this doctor on HTTP_ADDR (ADDR)",
				"No problems found.",
			},
		},
		{
			name: "path the proxy does not strip",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("PUBLIC_URL", "http://"+f.addr+"/calbot")
			},
			want: []string{
				"✓ redirect URI: http://ADDR/calbot/oauth/callback — register exactly this under Authorized redirect URIs (Cloud Console → Clients → your Web client)",
				"✗ callback reachable: http://ADDR/calbot/healthz reached HTTP_ADDR as /calbot/healthz, not /healthz. Fix: the reverse proxy must strip the path of PUBLIC_URL before forwarding",
			},
			wantErr: "1 problem found",
		},
		{
			name:  "trailing slash",
			setup: func(t *testing.T, f *doctorFixture) { f.set("PUBLIC_URL", "http://"+f.addr+"/") },
			want: []string{
				"✓ redirect URI: http://ADDR/oauth/callback — register exactly this…",
				`! redirect URI: PUBLIC_URL ends in "/": calbot drops it, so the URI to register is http://ADDR/oauth/callback, with no double slash`,
				"✓ callback reachable: http://ADDR/healthz answered, served by this doctor on HTTP_ADDR (ADDR)",
			},
		},
		{
			name: "https to a plain http port, by IP address",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("PUBLIC_URL", "https://203.0.113.7")
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
				f.set("PUBLIC_URL", "https://calbot.example.com")
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
				f.set("PUBLIC_URL", "https://calbot.example.com")
				f.hosts["calbot.example.com:443"] = ""
			},
			want: []string{
				"✗ callback reachable: https://calbot.example.com/healthz did not answer: …Fix: DNS: make calbot.example.com resolve to this server (or to the reverse proxy in front of it)",
			},
			wantErr: "1 problem found",
		},
		{
			name:  "PUBLIC_URL unreachable",
			setup: func(t *testing.T, f *doctorFixture) { f.set("PUBLIC_URL", "http://"+f.other) },
			want: []string{
				"✗ callback reachable: http://OTHER/healthz did not answer: dial tcp OTHER: connect: connection refused. Fix: nothing accepts connections at OTHER: start the reverse proxy, or open the port in the firewall",
			},
			wantErr: "1 problem found",
		},
		{
			name: "calbot running",
			setup: func(t *testing.T, f *doctorFixture) {
				serveOn(t, f.other, func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
				f.set("HTTP_ADDR", f.other)
				f.set("PUBLIC_URL", "http://"+f.other)
			},
			want: []string{"✓ callback reachable: http://OTHER/healthz answered ok; HTTP_ADDR (OTHER) is in use, presumably by the running calbot"},
		},
		{
			name: "calbot running but unhealthy",
			setup: func(t *testing.T, f *doctorFixture) {
				serveOn(t, f.other, func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "telegram: no successful poll recently", http.StatusServiceUnavailable)
				})
				f.set("HTTP_ADDR", f.other)
				f.set("PUBLIC_URL", "http://"+f.other)
			},
			want: []string{"! callback reachable: http://OTHER/healthz reached a running calbot, which is not healthy: telegram: no successful poll recently"},
		},
		{
			name: "another program on HTTP_ADDR",
			setup: func(t *testing.T, f *doctorFixture) {
				serveOn(t, f.other, http.NotFound)
				f.set("HTTP_ADDR", f.other)
				f.set("PUBLIC_URL", "http://"+f.other)
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
