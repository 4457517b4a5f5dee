package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/calbot/calbot/oauth"
)

const (
	validToken    = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
	validClientID = "123-x.apps.googleusercontent.com"
	validSecret   = "GOCSPX-abc"
	validPublic   = "https://calbot.example.org"
)

// validEnv is a correct environment with the defaults envconfig fills in.
func validEnv() env {
	return env{
		TelegramBotToken:     validToken,
		PublicURL:            validPublic,
		GoogleClientID:       validClientID,
		GoogleClientSecret:   validSecret,
		HTTPAddr:             ":8080",
		DBPath:               "calbot.db",
		LogLevel:             "info",
		TelegramAPIURL:       "https://api.telegram.org",
		GoogleAuthURL:        "https://accounts.google.com/o/oauth2/v2/auth",
		GoogleTokenURL:       "https://oauth2.googleapis.com/token",
		GoogleRevokeURL:      "https://oauth2.googleapis.com/revoke",
		GoogleCalendarURL:    "https://www.googleapis.com/calendar/v3/",
		LogFormat:            "text",
		ShutdownTimeout:      "10s",
		Concurrency:          "256",
		TelegramGlobalRate:   "30",
		TelegramChatRate:     "1",
		SigninCheck:          "telegram",
		ChatQueueCap:         "20",
		ChatRate:             "10/2s",
		ScheduleInterval:     "2m",
		GoogleRequestsPerMin: "3000",
		GoogleUserPerMin:     "60",
		AgendaCatchUp:        "2h",
		ReminderCatchUp:      "15m",
	}
}

// validConfig is what validEnv().validate() must return.
func validConfig() config {
	c := config{env: validEnv(), LogLevel: slog.LevelInfo, ShutdownTimeout: 10 * time.Second, Concurrency: 256, TelegramGlobalRate: 30, TelegramChatRate: 1,
		ChatQueueCap: 20, ChatBurst: 10, ChatEvery: 2 * time.Second,
		Schedule: scheduleConfig{Interval: 2 * time.Minute, ProjectPerMinute: 3000, UserPerMinute: 60, AgendaCatchUp: 2 * time.Hour, ReminderCatchUp: 15 * time.Minute}}
	return c
}

// testKey is 32 bytes whose base64 differs in every alphabet: "+/" in the
// standard one, "-_" in the URL one, and one "=" of padding.
var testKey = bytes.Repeat([]byte{0xfb, 0xef, 0xff}, 11)[:32]

// envVar is one variable of the env struct, as envconfig reads it.
type envVar struct{ name, def string }

// envVars lists the variables of the env struct from its tags, so the tests
// cannot drift from what loadConfig reads.
func envVars(t testing.TB) []envVar {
	t.Helper()
	var vars []envVar
	typ := reflect.TypeFor[env]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := f.Tag.Get("envconfig")
		if name == "" {
			t.Fatalf("env.%s has no envconfig tag", f.Name)
		}
		vars = append(vars, envVar{name, f.Tag.Get("default")})
	}
	return vars
}

// unsetenv unsets key for the rest of the test and restores it at cleanup.
func unsetenv(t testing.TB, key string) {
	t.Helper()
	t.Setenv(key, "") // registers the restore
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}

// clearEnv unsets every variable calbot reads, so the tests do not depend on
// the environment they run in.
func clearEnv(t testing.TB) {
	t.Helper()
	for _, v := range envVars(t) {
		unsetenv(t, v.name)
	}
}

// problems returns the problems in err, which must be a configError.
func problems(t testing.TB, err error) configError {
	t.Helper()
	var ce configError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a configError", err, err)
	}
	return ce
}

// checkNoSecrets fails the test if err repeats a secret of e: the token,
// the client secret, the key, or a password in PUBLIC_URL.
func checkNoSecrets(t testing.TB, e env, err error) {
	t.Helper()
	secrets := []string{e.TelegramBotToken, e.GoogleClientSecret, e.SecretKey}
	if u, perr := url.Parse(e.PublicURL); perr == nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	for _, secret := range secrets {
		if secret = strings.TrimSpace(secret); len(secret) >= 6 && strings.Contains(err.Error(), secret) {
			t.Errorf("validate(%+v) error repeats the secret %q:\n%v", e, secret, err)
		}
	}
}

// writeFile writes content to name in a new temporary directory and returns
// its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const webCredentials = `{"web":{"client_id":"123-web.apps.googleusercontent.com","project_id":"p",` +
	`"auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token",` +
	`"auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs","client_secret":"GOCSPX-web",` +
	`"redirect_uris":["https://calbot.example.org/oauth/callback"]}}`

const installedCredentials = `{"installed":{"client_id":"123-desktop.apps.googleusercontent.com","project_id":"p",` +
	`"auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token",` +
	`"client_secret":"GOCSPX-desktop","redirect_uris":["http://localhost"]}}`

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	type row struct {
		name string
		edit func(*env)
		want func(*config) // changes to validConfig, if any
	}
	tests := []row{
		{"defaults", func(*env) {}, nil},
		{"public url trailing slash trimmed", func(e *env) { e.PublicURL = "https://calbot.example.org/" }, nil},
		{"public url with port", func(e *env) { e.PublicURL = "https://example.com:8443/" },
			func(c *config) { c.PublicURL = "https://example.com:8443" }},
		{"metrics on another port", func(e *env) { e.MetricsAddr = "127.0.0.1:9090" },
			func(c *config) { c.MetricsAddr = "127.0.0.1:9090" }},
		{"metrics on another host, same port", func(e *env) { e.HTTPAddr, e.MetricsAddr = "127.0.0.1:8080", "10.0.0.1:8080" },
			func(c *config) { c.HTTPAddr, c.MetricsAddr = "127.0.0.1:8080", "10.0.0.1:8080" }},
		{"public url plain http on localhost", func(e *env) { e.PublicURL = "http://127.0.0.1:8080" },
			func(c *config) { c.PublicURL = "http://127.0.0.1:8080" }},
		{"secret with surrounding spaces", func(e *env) { e.GoogleClientSecret = "  GOCSPX-abc  " }, nil},
		{"sign-in check page", func(e *env) { e.SigninCheck = "page" }, func(c *config) { c.env.SigninCheck, c.SigninCheck = "page", oauth.CheckPage }},
		{"secret with trailing newline", func(e *env) { e.GoogleClientSecret = "GOCSPX-abc\r\n" }, nil},
		{"token with surrounding white space", func(e *env) { e.TelegramBotToken = "\t" + validToken + "\n" }, nil},
		{"client id with surrounding spaces", func(e *env) { e.GoogleClientID = " " + validClientID + " " }, nil},
		{"log level debug in capitals", func(e *env) { e.LogLevel = "DEBUG" },
			func(c *config) { c.env.LogLevel, c.LogLevel = "DEBUG", slog.LevelDebug }},
		{"log level warn", func(e *env) { e.LogLevel = "warn" },
			func(c *config) { c.env.LogLevel, c.LogLevel = "warn", slog.LevelWarn }},
		{"http addr with host", func(e *env) { e.HTTPAddr = "127.0.0.1:8080" },
			func(c *config) { c.HTTPAddr = "127.0.0.1:8080" }},
		{"self-hosted bot api", func(e *env) { e.TelegramAPIURL = "http://bot-api:8081" },
			func(c *config) { c.TelegramAPIURL = "http://bot-api:8081" }},
		{"chat rate off", func(e *env) { e.ChatRate = "0" },
			func(c *config) { c.env.ChatRate, c.ChatBurst, c.ChatEvery = "0", 0, -1 }},
		{"chat rate 5 a minute", func(e *env) { e.ChatRate = "5/1m" },
			func(c *config) { c.env.ChatRate, c.ChatBurst, c.ChatEvery = "5/1m", 5, time.Minute }},
		{"chat fairness unset takes the defaults", func(e *env) { e.ChatQueueCap, e.ChatRate = "", "" },
			func(c *config) { c.env.ChatQueueCap, c.env.ChatRate = "", "" }},
		{"schedule unset takes the defaults", func(e *env) {
			e.ScheduleInterval, e.GoogleRequestsPerMin, e.GoogleUserPerMin, e.AgendaCatchUp, e.ReminderCatchUp = "", "", "", "", ""
		}, func(c *config) {
			c.env.ScheduleInterval, c.env.GoogleRequestsPerMin, c.env.GoogleUserPerMin, c.env.AgendaCatchUp, c.env.ReminderCatchUp = "", "", "", "", ""
		}},
		{"schedule at Google's limits", func(e *env) { e.GoogleRequestsPerMin, e.GoogleUserPerMin = "10000", "600" },
			func(c *config) {
				c.env.GoogleRequestsPerMin, c.env.GoogleUserPerMin = "10000", "600"
				c.Schedule.ProjectPerMinute, c.Schedule.UserPerMinute = 10000, 600
			}},
		{"schedule every 30s, catch up 1h and 5m", func(e *env) { e.ScheduleInterval, e.AgendaCatchUp, e.ReminderCatchUp = "30s", "1h", "5m" },
			func(c *config) {
				c.env.ScheduleInterval, c.env.AgendaCatchUp, c.env.ReminderCatchUp = "30s", "1h", "5m"
				c.Schedule.Interval, c.Schedule.AgendaCatchUp, c.Schedule.ReminderCatchUp = 30*time.Second, time.Hour, 5*time.Minute
			}},
	}
	for _, enc := range []struct {
		name string
		enc  *base64.Encoding
	}{
		{"standard", base64.StdEncoding}, {"standard unpadded", base64.RawStdEncoding},
		{"url", base64.URLEncoding}, {"url unpadded", base64.RawURLEncoding},
	} {
		key := enc.enc.EncodeToString(testKey)
		tests = append(tests, row{"secret key " + enc.name + " base64",
			func(e *env) { e.SecretKey = key + "\n" },
			func(c *config) { c.env.SecretKey, c.SecretKey = key, testKey }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := validEnv()
			tt.edit(&e)
			want := validConfig()
			if tt.want != nil {
				tt.want(&want)
			}
			got, err := e.validate()
			if err != nil {
				t.Fatalf("validate(%+v) error: %v", e, err)
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("validate(%+v) mismatch (-want +got):\n%s", e, diff)
			}
		})
	}
}

func TestValidateReportsOneProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*env)
		want string // the problem must contain this
	}{
		{"missing token", func(e *env) { e.TelegramBotToken = "" }, "TELEGRAM_BOT_TOKEN is not set"},
		{"blank token", func(e *env) { e.TelegramBotToken = " \n" }, "TELEGRAM_BOT_TOKEN is not set"},
		{"token without colon", func(e *env) { e.TelegramBotToken = "123456789AAFakeTokenForTestsOnly_abcdefghijkl" }, "TELEGRAM_BOT_TOKEN does not look like a bot token"},
		{"token with bot prefix", func(e *env) { e.TelegramBotToken = "bot" + validToken }, "TELEGRAM_BOT_TOKEN does not look like a bot token"},
		{"token too short", func(e *env) { e.TelegramBotToken = "123:abc" }, "TELEGRAM_BOT_TOKEN does not look like a bot token"},
		{"missing public url", func(e *env) { e.PublicURL = "" }, "PUBLIC_URL is not set"},
		{"public url with query", func(e *env) { e.PublicURL = "https://calbot.example.com/?a=1" }, "PUBLIC_URL"},
		{"public url with empty query", func(e *env) { e.PublicURL = "https://calbot.example.com?" }, "PUBLIC_URL"},
		{"public url with fragment", func(e *env) { e.PublicURL = "https://calbot.example.com/#top" }, "PUBLIC_URL"},
		{"public url with empty fragment", func(e *env) { e.PublicURL = "https://calbot.example.com#" }, "PUBLIC_URL"},
		{"public url ftp", func(e *env) { e.PublicURL = "ftp://calbot.example.com" }, "PUBLIC_URL"},
		{"public url without scheme", func(e *env) { e.PublicURL = "calbot.example.com" }, "PUBLIC_URL"},
		{"public url without host", func(e *env) { e.PublicURL = "https:///oauth" }, "PUBLIC_URL"},
		{"public url with user", func(e *env) { e.PublicURL = "https://admin@calbot.example.com" }, "PUBLIC_URL"},
		{"public url with password", func(e *env) { e.PublicURL = "https://admin:hunter2@calbot.example.com" }, "PUBLIC_URL"},
		{"missing client", func(e *env) { e.GoogleClientID, e.GoogleClientSecret = "", "" }, "no Google OAuth client"},
		{"missing client id", func(e *env) { e.GoogleClientID = "" }, "GOOGLE_CLIENT_ID is not set"},
		{"client id without suffix", func(e *env) { e.GoogleClientID = "123-x" }, "GOOGLE_CLIENT_ID should end in .apps.googleusercontent.com"},
		{"missing client secret", func(e *env) { e.GoogleClientSecret = "" }, "GOOGLE_CLIENT_SECRET is not set"},
		{"secret with inner space", func(e *env) { e.GoogleClientSecret = "GOCSPX-a bc" }, "GOOGLE_CLIENT_SECRET contains spaces or quotes"},
		{"secret in quotes", func(e *env) { e.GoogleClientSecret = `"GOCSPX-abc"` }, "GOOGLE_CLIENT_SECRET contains spaces or quotes"},
		{"credentials file and id", func(e *env) { e.GoogleCredentialsFile = "client_secret.json"; e.GoogleClientSecret = "" },
			"set either GOOGLE_CREDENTIALS_FILE or GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, not both"},
		{"credentials file and secret", func(e *env) { e.GoogleCredentialsFile = "client_secret.json"; e.GoogleClientID = "" },
			"set either GOOGLE_CREDENTIALS_FILE or GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, not both"},
		{"credentials file missing", func(e *env) {
			e.GoogleCredentialsFile = "/nonexistent/calbot/client_secret.json"
			e.GoogleClientID, e.GoogleClientSecret = "", ""
		}, "GOOGLE_CREDENTIALS_FILE: cannot read"},
		{"secret key not base64", func(e *env) { e.SecretKey = "not base64!" }, "SECRET_KEY is not base64"},
		{"chat queue cap zero", func(e *env) { e.ChatQueueCap = "0" }, "CHAT_QUEUE_CAP"},
		{"chat rate without interval", func(e *env) { e.ChatRate = "10" }, "CHAT_RATE"},
		{"chat rate zero burst", func(e *env) { e.ChatRate = "0/2s" }, "CHAT_RATE"},
		{"chat rate negative interval", func(e *env) { e.ChatRate = "10/-2s" }, "CHAT_RATE"},
		{"schedule interval not a duration", func(e *env) { e.ScheduleInterval = "2" }, "SCHEDULE_INTERVAL"},
		{"schedule interval too short", func(e *env) { e.ScheduleInterval = "1s" }, "SCHEDULE_INTERVAL"},
		{"project budget over Google's", func(e *env) { e.GoogleRequestsPerMin = "10001" }, "GOOGLE_REQUESTS_PER_MINUTE"},
		{"project budget zero", func(e *env) { e.GoogleRequestsPerMin = "0" }, "GOOGLE_REQUESTS_PER_MINUTE"},
		{"user budget over Google's", func(e *env) { e.GoogleUserPerMin = "601" }, "GOOGLE_USER_REQUESTS_PER_MINUTE"},
		{"agenda catch-up negative", func(e *env) { e.AgendaCatchUp = "-1h" }, "AGENDA_CATCH_UP"},
		{"reminder catch-up zero", func(e *env) { e.ReminderCatchUp = "0" }, "REMINDER_CATCH_UP"},
		{"secret key too short", func(e *env) { e.SecretKey = "c2hvcnQ=" }, "SECRET_KEY decodes to 5 bytes, want 32"},
		{"secret key in hex", func(e *env) { e.SecretKey = strings.Repeat("ab", 32) }, "SECRET_KEY decodes to 48 bytes, want 32"},
		{"http addr without colon", func(e *env) { e.HTTPAddr = "8080" }, `HTTP_ADDR "8080" is not host:port`},
		{"empty db path", func(e *env) { e.DBPath = " " }, "DB_PATH is empty"},
		{"loud log level", func(e *env) { e.LogLevel = "loud" }, `LOG_LEVEL "loud" is not one of debug, info, warn, error`},
		{"unknown sign-in check", func(e *env) { e.SigninCheck = "none" }, `SIGNIN_CHECK "none" is not telegram or page`},
		{"telegram api url without scheme", func(e *env) { e.TelegramAPIURL = "api.telegram.org" }, "TELEGRAM_API_URL"},
		{"telegram api url ftp", func(e *env) { e.TelegramAPIURL = "ftp://api.telegram.org" }, "TELEGRAM_API_URL"},
		{"empty google auth url", func(e *env) { e.GoogleAuthURL = "" }, "GOOGLE_AUTH_URL"},
		{"relative google token url", func(e *env) { e.GoogleTokenURL = "/token" }, "GOOGLE_TOKEN_URL"},
		{"google revoke url without host", func(e *env) { e.GoogleRevokeURL = "https://" }, "GOOGLE_REVOKE_URL"},
		{"google calendar url without scheme", func(e *env) { e.GoogleCalendarURL = "www.googleapis.com/calendar/v3/" }, "GOOGLE_CALENDAR_URL"},
		// What only doctor caught before: calbot itself must refuse it.
		{"public url with a path", func(e *env) { e.PublicURL = "https://calbot.example.org/oauth/callback" },
			`PUBLIC_URL "https://calbot.example.org/oauth/callback" has the path /oauth/callback: give the base URL only`},
		{"public url http on a public host", func(e *env) { e.PublicURL = "http://calbot.example.org" },
			"uses http: Google redirects over plain http only to localhost"},
		{"public url placeholder", func(e *env) { e.PublicURL = "https://calbot.example.com" }, "PUBLIC_URL still holds the example value from .env.example"},
		{"token placeholder", func(e *env) { e.TelegramBotToken = "paste-the-token-from-BotFather" }, "TELEGRAM_BOT_TOKEN still holds the example value from .env.example"},
		{"client id placeholder", func(e *env) { e.GoogleClientID = "paste-the-client-id.apps.googleusercontent.com" }, "GOOGLE_CLIENT_ID still holds the example value"},
		{"client secret placeholder", func(e *env) { e.GoogleClientSecret = "GOCSPX-paste-the-client-secret" }, "GOOGLE_CLIENT_SECRET still holds the example value"},
		{"secret key placeholder", func(e *env) { e.SecretKey = "paste-the-output-of-openssl-rand-base64-32" }, "SECRET_KEY still holds the example value"},
		{"metrics on the http address", func(e *env) { e.MetricsAddr = ":8080" }, "METRICS_ADDR is the address of HTTP_ADDR (:8080)"},
		{"metrics on the http port, loopback", func(e *env) { e.MetricsAddr = "127.0.0.1:8080" }, "METRICS_ADDR is the address of HTTP_ADDR"},
		{"service account key", func(e *env) {
			e.GoogleClientID, e.GoogleClientSecret = "", ""
			e.GoogleCredentialsFile = writeFile(t, "sa.json", `{"type":"service_account","project_id":"p","private_key_id":"k"}`)
		}, "is a service account key, but calbot signs people in with an OAuth client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := validEnv()
			tt.edit(&e)
			got, err := e.validate()
			if err == nil {
				t.Fatalf("validate(%+v) = %+v, nil; want error %q", e, got, tt.want)
			}
			ps := problems(t, err)
			if len(ps) != 1 || !strings.Contains(ps[0], tt.want) {
				t.Errorf("validate(%+v) problems = %q, want one containing %q", e, ps, tt.want)
			}
			checkNoSecrets(t, e, err)
			if !reflect.DeepEqual(got, config{}) {
				t.Errorf("validate(%+v) returned config %+v with its error, want the zero config", e, got)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	e := validEnv()
	e.TelegramBotToken = "not-a-token"
	e.PublicURL = ""
	e.GoogleClientID = "1234"
	e.GoogleClientSecret = "GOCSPX-visible secret"
	e.SecretKey = "c2hvcnQ="
	e.HTTPAddr = "8080"
	e.LogLevel = "loud"
	e.TelegramAPIURL = "api.telegram.org"
	want := []string{"TELEGRAM_BOT_TOKEN", "PUBLIC_URL", "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "SECRET_KEY", "HTTP_ADDR", "LOG_LEVEL", "TELEGRAM_API_URL"}

	_, err := e.validate()
	if err == nil {
		t.Fatalf("validate(%+v) = nil error, want %d problems", e, len(want))
	}
	checkNoSecrets(t, e, err)
	msg := err.Error()
	if got := strings.Count(msg, "\n  - "); got != len(want) {
		t.Errorf("validate(%+v) reported %d problems, want %d:\n%s", e, got, len(want), msg)
	}
	for _, name := range want {
		if !strings.Contains(msg, name) {
			t.Errorf("validate(%+v) error does not name %s:\n%s", e, name, msg)
		}
	}
	if !strings.HasPrefix(msg, "configuration problems:\n") || !strings.Contains(msg, ".env.example") {
		t.Errorf("validate(%+v) error lacks its heading or its pointer to .env.example:\n%s", e, msg)
	}
}

// setRequired sets the variables that have no default, as an operator would.
func setRequired(t testing.TB) {
	t.Helper()
	t.Setenv("TELEGRAM_BOT_TOKEN", validToken)
	t.Setenv("PUBLIC_URL", validPublic)
	t.Setenv("GOOGLE_CLIENT_ID", validClientID)
	t.Setenv("GOOGLE_CLIENT_SECRET", validSecret)
}

func TestLoadConfigDefaults(t *testing.T) {
	clearEnv(t)
	setRequired(t)
	got, err := loadConfig()
	if err != nil {
		t.Fatalf("loadConfig() error: %v", err)
	}
	if diff := cmp.Diff(validConfig(), got, cmp.AllowUnexported(config{})); diff != "" {
		t.Errorf("loadConfig() mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadConfigTrimsWhiteSpace(t *testing.T) {
	clearEnv(t)
	t.Setenv("TELEGRAM_BOT_TOKEN", validToken+"\n")
	t.Setenv("PUBLIC_URL", " https://calbot.example.org/ \n")
	t.Setenv("GOOGLE_CLIENT_ID", "\t"+validClientID)
	t.Setenv("GOOGLE_CLIENT_SECRET", "  GOCSPX-abc\r\n")
	t.Setenv("SECRET_KEY", base64.StdEncoding.EncodeToString(testKey)+"\n")
	t.Setenv("LOG_LEVEL", " debug ")
	t.Setenv("DB_PATH", "/var/lib/calbot/calbot.db ")
	t.Setenv("HTTP_ADDR", " 127.0.0.1:9000")

	got, err := loadConfig()
	if err != nil {
		t.Fatalf("loadConfig() error: %v", err)
	}
	want := validConfig()
	want.env.SecretKey = base64.StdEncoding.EncodeToString(testKey)
	want.SecretKey = testKey
	want.env.LogLevel, want.LogLevel = "debug", slog.LevelDebug
	want.DBPath = "/var/lib/calbot/calbot.db"
	want.HTTPAddr = "127.0.0.1:9000"
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{})); diff != "" {
		t.Errorf("loadConfig() mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadConfigReportsProblems(t *testing.T) {
	clearEnv(t)
	t.Setenv("LOG_LEVEL", "loud")
	_, err := loadConfig()
	ps := problems(t, err)
	for _, name := range []string{"TELEGRAM_BOT_TOKEN", "PUBLIC_URL", "no Google OAuth client", "LOG_LEVEL"} {
		if !strings.Contains(strings.Join(ps, "\n"), name) {
			t.Errorf("loadConfig() problems = %q, want one about %s", ps, name)
		}
	}
}
