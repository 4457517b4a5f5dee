package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	"github.com/kelseyhightower/envconfig"

	"github.com/calbot/calbot/internal/doctor"
	"github.com/calbot/calbot/oauth"
)

// env is the environment calbot reads, with envconfig. Every field is a
// string so that validate can report all problems at once, in words, instead
// of stopping at the first one.
type env struct {
	TelegramBotToken      string `envconfig:"TELEGRAM_BOT_TOKEN" desc:"bot token from @BotFather (required)"`
	PublicURL             string `envconfig:"PUBLIC_URL" desc:"externally reachable base URL, e.g. https://calbot.example.com (required)"`
	GoogleClientID        string `envconfig:"GOOGLE_CLIENT_ID" desc:"OAuth client id (or GOOGLE_CREDENTIALS_FILE)"`
	GoogleClientSecret    string `envconfig:"GOOGLE_CLIENT_SECRET" desc:"OAuth client secret (or GOOGLE_CREDENTIALS_FILE)"`
	GoogleCredentialsFile string `envconfig:"GOOGLE_CREDENTIALS_FILE" desc:"client_secret JSON downloaded from Cloud Console"`
	SecretKey             string `envconfig:"SECRET_KEY" desc:"32 random bytes, base64; generated beside the database if unset"`
	HTTPAddr              string `envconfig:"HTTP_ADDR" default:":8080" desc:"address of the OAuth callback server"`
	DBPath                string `envconfig:"DB_PATH" default:"calbot.db" desc:"bbolt database file"`
	LogLevel              string `envconfig:"LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	LogFormat             string `envconfig:"LOG_FORMAT" default:"text" desc:"text or json"`
	MetricsAddr           string `envconfig:"METRICS_ADDR" desc:"address for Prometheus /metrics, e.g. 127.0.0.1:9090 (off when empty)"`
	AdminSocket           string `envconfig:"ADMIN_SOCKET" desc:"Unix socket for calbot backup (default DB_PATH.sock)"`
	ShutdownTimeout       string `envconfig:"SHUTDOWN_TIMEOUT" default:"10s" desc:"how long a stop waits for work in flight"`
	Concurrency           string `envconfig:"CONCURRENCY" default:"256" desc:"updates handled at once (one chat's always in order)"`
	TelegramGlobalRate    string `envconfig:"TELEGRAM_GLOBAL_RATE" default:"30" desc:"outgoing messages per second overall (0: unpaced)"`
	TelegramChatRate      string `envconfig:"TELEGRAM_CHAT_RATE" default:"1" desc:"outgoing messages per second per chat (0: unpaced)"`
	ChatQueueCap          string `envconfig:"CHAT_QUEUE_CAP" default:"20" desc:"updates of one chat that may wait; beyond it they are dropped and the chat told to slow down"`
	ChatRate              string `envconfig:"CHAT_RATE" default:"10/2s" desc:"commands one chat may send: a burst, then one per interval (0: no limit)"`
	TelegramAPIURL        string `envconfig:"TELEGRAM_API_URL" default:"https://api.telegram.org" desc:"Bot API server"`
	GoogleAuthURL         string `envconfig:"GOOGLE_AUTH_URL" default:"https://accounts.google.com/o/oauth2/v2/auth" desc:"Google authorization endpoint"`
	GoogleTokenURL        string `envconfig:"GOOGLE_TOKEN_URL" default:"https://oauth2.googleapis.com/token" desc:"Google token endpoint"`
	GoogleRevokeURL       string `envconfig:"GOOGLE_REVOKE_URL" default:"https://oauth2.googleapis.com/revoke" desc:"Google revocation endpoint"`
	GoogleCalendarURL     string `envconfig:"GOOGLE_CALENDAR_URL" default:"https://www.googleapis.com/calendar/v3/" desc:"Calendar API base URL"`
	SigninCheck           string `envconfig:"SIGNIN_CHECK" default:"telegram" desc:"who may finish a sign-in: telegram (login_url button; link the domain with /setdomain in @BotFather) or page (a page names the Telegram account)"`
	ScheduleInterval      string `envconfig:"SCHEDULE_INTERVAL" default:"2m" desc:"how often each linked calendar is read for agendas and reminders (stretched to fit the Google budget)"`
	GoogleRequestsPerMin  string `envconfig:"GOOGLE_REQUESTS_PER_MINUTE" default:"3000" desc:"Google requests per minute the scheduler may make for all chats (Google allows 10000)"`
	GoogleUserPerMin      string `envconfig:"GOOGLE_USER_REQUESTS_PER_MINUTE" default:"60" desc:"Google requests per minute the scheduler may make for one chat (Google allows 600)"`
	AgendaCatchUp         string `envconfig:"AGENDA_CATCH_UP" default:"2h" desc:"how late a morning agenda missed while calbot was down is still sent"`
	ReminderCatchUp       string `envconfig:"REMINDER_CATCH_UP" default:"15m" desc:"how late a reminder missed while calbot was down is still sent"`
}

// config is the checked configuration.
type config struct {
	env
	SecretKey          []byte // nil: use or create the key file beside the database
	LogLevel           slog.Level
	ShutdownTimeout    time.Duration
	Concurrency        int
	TelegramGlobalRate float64
	TelegramChatRate   float64
	// Warnings are what may be wrong but need not be: calbot logs them at
	// start and doctor shows them.
	Warnings []string
	// SigninCheck is SIGNIN_CHECK; oauth falls back to the page where
	// PUBLIC_URL cannot take login_url buttons.
	SigninCheck  oauth.Check
	ChatQueueCap int
	ChatBurst    int
	ChatEvery    time.Duration // < 0: no command rate
	Schedule     scheduleConfig
}

// adminSocket is where the running calbot listens for `calbot backup`.
func (c config) adminSocket() string {
	if c.AdminSocket != "" {
		return c.AdminSocket
	}
	return c.DBPath + ".sock"
}

// configError lists every problem found, one per line.
type configError []string

func (e configError) Error() string {
	return "configuration problems:\n  - " + strings.Join(e, "\n  - ") + "\nSee .env.example or README.md for every variable."
}

// readDotEnv loads ./.env into the process environment for the variables
// the environment does not already set: the real environment wins.
func readDotEnv(path string) error {
	vals, err := godotenv.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return configError{fmt.Sprintf("%s cannot be read: %v", path, err)}
	}
	if err != nil {
		// godotenv's parse errors quote the rest of the file, secrets and all.
		return configError{fmt.Sprintf("%s is not a valid .env file: each line must be KEY=value or a # comment (quote values with spaces or #)", path)}
	}
	for k, v := range vals {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	return nil
}

// loadConfig reads the environment and checks it.
func loadConfig() (config, error) {
	var e env
	if err := envconfig.Process("", &e); err != nil {
		return config{}, configError{err.Error()}
	}
	e.GoogleCredentialsFile = credentialsPath(e.GoogleCredentialsFile, os.Getenv("CREDENTIALS_DIRECTORY"))
	return e.validate()
}

// credentialsPath resolves a GOOGLE_CREDENTIALS_FILE that is a bare file
// name against dir, the $CREDENTIALS_DIRECTORY where systemd's
// LoadCredential= puts the files it hands over (deploy/calbot.service): the
// service's own user cannot read them where root keeps them.
func credentialsPath(file, dir string) string {
	file = strings.TrimSpace(file)
	if file == "" || dir == "" || strings.ContainsRune(file, '/') {
		return file
	}
	return filepath.Join(dir, file)
}

// parseChatRate reads CHAT_RATE: "10/2s" is a burst of 10 commands, then
// one every 2 seconds; "0" is no limit (every < 0).
func parseChatRate(s string) (burst int, every time.Duration, ok bool) {
	if s == "0" {
		return 0, -1, true
	}
	b, e, found := strings.Cut(s, "/")
	n, err1 := strconv.Atoi(b)
	d, err2 := time.ParseDuration(e)
	if !found || err1 != nil || err2 != nil || n < 1 || n > 100000 || d <= 0 {
		return 0, 0, false
	}
	return n, d, true
}

var botTokenRE = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{20,}$`)

// envFrom is the environment that vars make, with every variable vars
// lacks at its default, read from the struct tags; the process's own
// environment plays no part.
func envFrom(vars map[string]string) env {
	var e env
	v, t := reflect.ValueOf(&e).Elem(), reflect.TypeFor[env]()
	for i := range t.NumField() {
		f := t.Field(i)
		if val, ok := vars[f.Tag.Get("envconfig")]; ok {
			v.Field(i).SetString(val)
		} else if d, ok := f.Tag.Lookup("default"); ok {
			v.Field(i).SetString(d)
		}
	}
	return e
}

// doctorConfig reads .env and the environment as run does, for calbot
// doctor: the configuration as far as it is right, and every problem. A
// broken .env or an envconfig failure names no variable: the checks go on
// with what the environment itself holds.
func doctorConfig() doctor.Config {
	var problems []problem
	if err := readDotEnv(".env"); err != nil {
		var ce configError
		if !errors.As(err, &ce) {
			ce = configError{err.Error()}
		}
		for _, msg := range ce {
			problems = append(problems, problem{msg: msg})
		}
	}
	var e env
	if err := envconfig.Process("", &e); err != nil {
		problems = append(problems, problem{msg: err.Error()})
	}
	e.GoogleCredentialsFile = credentialsPath(e.GoogleCredentialsFile, os.Getenv("CREDENTIALS_DIRECTORY"))
	c, found := e.check()
	dc := doctor.Config{
		TelegramBotToken: c.TelegramBotToken, TelegramAPIURL: c.TelegramAPIURL,
		PublicURL: c.PublicURL, RawPublicURL: strings.TrimSpace(e.PublicURL),
		GoogleClientID: c.GoogleClientID, GoogleClientSecret: c.GoogleClientSecret,
		GoogleCredentialsFile: c.GoogleCredentialsFile, GoogleTokenURL: c.GoogleTokenURL,
		HTTPAddr: c.HTTPAddr, SigninCheck: c.SigninCheck, DBPath: c.DBPath, KeyFile: keyFile(c.DBPath), SecretKey: c.SecretKey,
		DecodeKey: decodeKey, Warnings: c.Warnings,
		// The secret from GOOGLE_CREDENTIALS_FILE too.
		Secrets: []string{e.TelegramBotToken, e.GoogleClientSecret, e.SecretKey, c.GoogleClientSecret},
	}
	for _, p := range append(problems, found...) {
		dc.Problems = append(dc.Problems, doctor.Problem{Vars: strings.Fields(p.vars), Msg: p.msg})
	}
	return dc
}

// problem is one thing wrong with the configuration and the variables it
// is about (space separated), so that calbot doctor can skip just the checks
// that need them.
type problem struct {
	vars, msg string
}

// googleClientVars are the variables that make up the Google client: a
// problem with one of them leaves the client unknown.
const googleClientVars = "GOOGLE_CLIENT_ID GOOGLE_CLIENT_SECRET GOOGLE_CREDENTIALS_FILE"

// validate checks the environment and returns the configuration, or a
// configError listing every problem.
func (e env) validate() (config, error) {
	c, problems := e.check()
	if len(problems) == 0 {
		return c, nil
	}
	ce := make(configError, len(problems))
	for i, p := range problems {
		ce[i] = p.msg
	}
	return config{}, ce
}

// check is validate's work: the configuration as far as it is right (a
// faulty variable keeps its raw value) and every problem found.
func (e env) check() (config, []problem) {
	var problems []problem
	add := func(vars, format string, args ...any) {
		problems = append(problems, problem{vars: vars, msg: fmt.Sprintf(format, args...)})
	}
	trim := func(s *string) { *s = strings.TrimSpace(*s) }
	for _, s := range []*string{&e.TelegramBotToken, &e.PublicURL, &e.GoogleClientID, &e.GoogleClientSecret, &e.GoogleCredentialsFile,
		&e.SecretKey, &e.HTTPAddr, &e.DBPath, &e.LogLevel, &e.TelegramAPIURL, &e.GoogleAuthURL, &e.GoogleTokenURL, &e.GoogleRevokeURL, &e.GoogleCalendarURL,
		&e.LogFormat, &e.MetricsAddr, &e.AdminSocket, &e.ShutdownTimeout, &e.Concurrency, &e.TelegramGlobalRate, &e.TelegramChatRate,
		&e.ChatQueueCap, &e.ChatRate, &e.SigninCheck, &e.ScheduleInterval, &e.GoogleRequestsPerMin, &e.GoogleUserPerMin,
		&e.AgendaCatchUp, &e.ReminderCatchUp} {
		trim(s)
	}
	c := config{env: e}

	// placeholder reports, as a problem, a value left as .env.example has it.
	placeholder := func(name, val, fix string) bool {
		if val != "" && val == placeholders[name] {
			add(name, "%s still holds the example value from .env.example: %s", name, fix)
			return true
		}
		return false
	}

	switch {
	case e.TelegramBotToken == "":
		add("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token here")
	case placeholder("TELEGRAM_BOT_TOKEN", e.TelegramBotToken, "put the token @BotFather gave you here"):
	case !botTokenRE.MatchString(e.TelegramBotToken):
		add("TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then 35 or so letters, as @BotFather shows it): copy it again")
	}

	if e.PublicURL == "" {
		add("PUBLIC_URL", "PUBLIC_URL is not set: give the https address where Google can reach calbot, e.g. https://calbot.example.com")
	} else if u, err := url.Parse(e.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || strings.ContainsAny(e.PublicURL, "?#") {
		if strings.Contains(e.PublicURL, "@") { // user:password@ must not reach the log
			add("PUBLIC_URL", "PUBLIC_URL must not contain a user name or password: give a plain base URL like https://calbot.example.com")
		} else {
			add("PUBLIC_URL", "PUBLIC_URL %q is not a plain http(s) base URL like https://calbot.example.com", e.PublicURL)
		}
	} else if u.Path != "" && u.Path != "/" {
		add("PUBLIC_URL", "PUBLIC_URL %q has the path %s: give the base URL only, like https://calbot.example.com (calbot adds /oauth/callback itself and serves at the root of its host)", e.PublicURL, u.Path)
	} else if u.Scheme == "http" && !loopback(e.PublicURL) {
		add("PUBLIC_URL", "PUBLIC_URL %q uses http: Google redirects over plain http only to localhost; use https, with a reverse proxy that terminates TLS (README: \"HTTPS\")", e.PublicURL)
	} else if !placeholder("PUBLIC_URL", e.PublicURL, "give the https address where Google can reach your calbot") {
		c.PublicURL = strings.TrimRight(e.PublicURL, "/")
	}

	c.validateGoogleClient(add, placeholder)

	if placeholder("SECRET_KEY", e.SecretKey, "generate a key with `openssl rand -base64 32`, or unset SECRET_KEY to let calbot make one") {
		e.SecretKey = ""
	}
	if e.SecretKey != "" {
		key, err := decodeKey(e.SecretKey)
		if err != nil {
			add("SECRET_KEY", "SECRET_KEY %v: generate one with `openssl rand -base64 32`, or unset it to let calbot make one", err)
		}
		c.SecretKey = key
	}
	if _, _, err := net.SplitHostPort(e.HTTPAddr); err != nil {
		add("HTTP_ADDR", "HTTP_ADDR %q is not host:port (e.g. :8080 or 127.0.0.1:8080)", e.HTTPAddr)
	}
	if e.DBPath == "" {
		add("DB_PATH", "DB_PATH is empty: give a file path such as /var/lib/calbot/calbot.db")
	}
	if err := c.LogLevel.UnmarshalText([]byte(e.LogLevel)); err != nil {
		add("LOG_LEVEL", "LOG_LEVEL %q is not one of debug, info, warn, error", e.LogLevel)
	}
	if e.LogFormat != "text" && e.LogFormat != "json" {
		add("LOG_FORMAT", "LOG_FORMAT %q is not text or json", e.LogFormat)
	}
	for _, a := range []struct{ name, val string }{{"METRICS_ADDR", e.MetricsAddr}} {
		if _, _, err := net.SplitHostPort(a.val); a.val != "" && err != nil {
			add(a.name, "%s %q is not host:port (e.g. 127.0.0.1:9090)", a.name, a.val)
		} else if a.val != "" && sameListenAddr(a.val, e.HTTPAddr) {
			add(a.name, "%s is the address of HTTP_ADDR (%s): give /metrics an address of its own that only you reach, e.g. 127.0.0.1:9090", a.name, e.HTTPAddr)
		}
	}
	if d, err := time.ParseDuration(e.ShutdownTimeout); err != nil || d <= 0 {
		add("SHUTDOWN_TIMEOUT", "SHUTDOWN_TIMEOUT %q is not a positive duration like 10s", e.ShutdownTimeout)
	} else {
		c.ShutdownTimeout = d
	}
	if n, err := strconv.Atoi(e.Concurrency); err != nil || n < 1 || n > 100000 {
		add("CONCURRENCY", "CONCURRENCY %q is not a whole number from 1 to 100000", e.Concurrency)
	} else {
		c.Concurrency = n
	}
	if e.ChatQueueCap == "" {
		e.ChatQueueCap = "20"
	}
	if e.ChatRate == "" {
		e.ChatRate = "10/2s"
	}
	if n, err := strconv.Atoi(e.ChatQueueCap); err != nil || n < 1 || n > 100000 {
		add("CHAT_QUEUE_CAP", "CHAT_QUEUE_CAP %q is not a whole number from 1 to 100000", e.ChatQueueCap)
	} else {
		c.ChatQueueCap = n
	}
	if burst, every, ok := parseChatRate(e.ChatRate); !ok {
		add("CHAT_RATE", "CHAT_RATE %q is not a burst and an interval like 10/2s (0 switches the limit off)", e.ChatRate)
	} else {
		c.ChatBurst, c.ChatEvery = burst, every
	}
	for _, r := range []struct {
		name, val string
		dst       *float64
	}{{"TELEGRAM_GLOBAL_RATE", e.TelegramGlobalRate, &c.TelegramGlobalRate}, {"TELEGRAM_CHAT_RATE", e.TelegramChatRate, &c.TelegramChatRate}} {
		if f, err := strconv.ParseFloat(r.val, 64); err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			add(r.name, "%s %q is not a number of messages per second (0 switches pacing off)", r.name, r.val)
		} else {
			*r.dst = f
		}
	}
	c.Schedule = e.checkSchedule(add)
	if e.SigninCheck == "" { // unset: envconfig's default
		e.SigninCheck = "telegram"
	}
	if chk, err := oauth.ParseCheck(e.SigninCheck); err != nil {
		add("SIGNIN_CHECK", "SIGNIN_CHECK %q is not telegram or page", e.SigninCheck)
	} else {
		c.SigninCheck = chk
	}
	for _, v := range []struct{ name, val string }{
		{"TELEGRAM_API_URL", e.TelegramAPIURL}, {"GOOGLE_AUTH_URL", e.GoogleAuthURL}, {"GOOGLE_TOKEN_URL", e.GoogleTokenURL},
		{"GOOGLE_REVOKE_URL", e.GoogleRevokeURL}, {"GOOGLE_CALENDAR_URL", e.GoogleCalendarURL},
	} {
		if u, err := url.Parse(v.val); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(v.name, "%s %q is not an absolute http(s) URL (unset it to use Google's or Telegram's)", v.name, v.val)
		}
	}
	return c, problems
}

// placeholders are the values .env.example ships with: a copied file that
// was not filled in is refused by name, not by a riddle.
var placeholders = map[string]string{
	"TELEGRAM_BOT_TOKEN":   "paste-the-token-from-BotFather",
	"PUBLIC_URL":           "https://calbot.example.com",
	"GOOGLE_CLIENT_ID":     "paste-the-client-id.apps.googleusercontent.com",
	"GOOGLE_CLIENT_SECRET": "GOCSPX-paste-the-client-secret",
	"SECRET_KEY":           "paste-the-output-of-openssl-rand-base64-32",
}

// sameListenAddr reports whether two host:port addresses would take the
// same port: the same port, and the same host or a wildcard in either.
func sameListenAddr(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb || pa == "0" {
		return false
	}
	wild := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wild(ha) || wild(hb)
}

// validateGoogleClient takes the client from GOOGLE_CLIENT_ID/SECRET or
// from the JSON file Cloud Console offers for download.
func (c *config) validateGoogleClient(add func(vars, format string, args ...any), placeholder func(name, val, fix string) bool) {
	if c.GoogleCredentialsFile != "" {
		if c.GoogleClientID != "" || c.GoogleClientSecret != "" {
			add(googleClientVars, "set either GOOGLE_CREDENTIALS_FILE or GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, not both")
			return
		}
		id, secret, kind, redirects, err := readCredentials(c.GoogleCredentialsFile)
		if err != nil {
			add("GOOGLE_CREDENTIALS_FILE", "GOOGLE_CREDENTIALS_FILE: %v", err)
			return
		}
		if kind == "installed" && !loopback(c.PublicURL) {
			add("GOOGLE_CREDENTIALS_FILE", "GOOGLE_CREDENTIALS_FILE holds a Desktop (\"installed\") client, which Google lets redirect only to localhost: create a Web application client and download its JSON")
			return
		}
		if want := oauth.RedirectURL(c.PublicURL); kind == "web" && c.PublicURL != "" && !slices.Contains(redirects, want) {
			c.Warnings = append(c.Warnings, fmt.Sprintf("GOOGLE_CREDENTIALS_FILE lists no redirect URI %s: unless it was added in Cloud Console after the download, Google will refuse every sign-in (redirect_uri_mismatch); add it under Authorized redirect URIs", want))
		}
		c.GoogleClientID, c.GoogleClientSecret = id, secret
	}
	const fix = "copy it from the OAuth client in Cloud Console (Google Auth Platform → Clients → your Web client)"
	idExample := placeholder("GOOGLE_CLIENT_ID", c.GoogleClientID, fix)
	if placeholder("GOOGLE_CLIENT_SECRET", c.GoogleClientSecret, fix) || idExample {
		return
	}
	switch {
	case c.GoogleClientID == "" && c.GoogleClientSecret == "":
		add(googleClientVars, "no Google OAuth client: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or GOOGLE_CREDENTIALS_FILE (README: \"Google OAuth client\")")
		return
	case c.GoogleClientID == "":
		add("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_ID is not set (it ends in .apps.googleusercontent.com)")
	case !strings.HasSuffix(c.GoogleClientID, ".apps.googleusercontent.com"):
		add("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_ID should end in .apps.googleusercontent.com: copy the Client ID, not the project id or the secret")
	}
	if c.GoogleClientSecret == "" {
		add("GOOGLE_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET is not set: copy it from the OAuth client in Cloud Console (it is shown once; reset it if lost)")
	} else if strings.ContainsAny(c.GoogleClientSecret, " \t\r\n\"'") {
		add("GOOGLE_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET contains spaces or quotes: copy it again")
	}
}

// readCredentials reads a client_secret_….json from Cloud Console: a "web"
// client or an "installed" one, with its registered redirect URIs.
func readCredentials(path string) (id, secret, kind string, redirects []string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", "", "", nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	var key struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &key) == nil && key.Type == "service_account" {
		return "", "", "", nil, fmt.Errorf("%s is a service account key, but calbot signs people in with an OAuth client: in Cloud Console create one (Google Auth Platform → Clients → Create client → Web application) and download its JSON", path)
	}
	var f map[string]*struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		RedirectURIs []string `json:"redirect_uris"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return "", "", "", nil, fmt.Errorf("%s is not the JSON file Cloud Console gives for an OAuth client: %v", path, err)
	}
	for _, kind := range []string{"web", "installed"} {
		if c := f[kind]; c != nil {
			return strings.TrimSpace(c.ClientID), strings.TrimSpace(c.ClientSecret), kind, c.RedirectURIs, nil
		}
	}
	return "", "", "", nil, fmt.Errorf("%s has no \"web\" client: download the JSON of a Web application client", path)
}

// loopback reports whether a base URL names this machine.
func loopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// decodeKey reads 32 bytes of base64 in any of the usual alphabets.
func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("decodes to %d bytes, want 32", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("is not base64")
}
