// Package doctor is `calbot doctor`: it checks calbot's configuration and
// everything it points at (Telegram, Google, the callback address, the
// database and its key) and says what to fix.
package doctor

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/calbot/calbot/oauth"
)

// Config is what doctor checks: calbot's configuration as far as it is
// right, and the problems found reading it. Variables with a problem keep
// their raw value; the checks that need them are skipped.
type Config struct {
	TelegramBotToken, TelegramAPIURL string
	PublicURL                        string // without a trailing slash
	RawPublicURL                     string // as given, for the trailing slash
	GoogleClientID                   string
	GoogleClientSecret               string
	GoogleCredentialsFile            string
	GoogleTokenURL                   string
	HTTPAddr                         string
	SigninCheck                      oauth.Check
	DBPath                           string
	KeyFile                          string // where calbot keeps its generated key for DBPath
	SecretKey                        []byte // nil: not set, the key file is used
	// DecodeKey reads a key file's contents as calbot does.
	DecodeKey func(string) ([]byte, error)
	// Problems are the configuration's faults, each with the variables it
	// is about.
	Problems []Problem
	// Warnings are what may be wrong in the configuration but need not be.
	Warnings []string
	// Secrets are values that must never be printed.
	Secrets []string
}

// Problem is one thing wrong with the configuration and the variables it
// is about (none if it names no variable).
type Problem struct {
	Vars []string
	Msg  string
}

// Run is `calbot doctor`: it checks the configuration and everything it
// points at, prints one line per check (✓ fine, ✗ wrong, with the fix, !
// worth a look, – skipped) and returns an error if any check failed. It
// changes nothing, except that -fix removes a Telegram webhook. load reads
// the configuration, after the flags were parsed; client makes every remote
// check (nil: a client of its own).
func Run(ctx context.Context, args []string, w io.Writer, client *http.Client, load func() Config) error {
	if client == nil {
		client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		defer client.CloseIdleConnections()
	}
	fs := flag.NewFlagSet("calbot doctor", flag.ContinueOnError)
	fs.SetOutput(w)
	fix := fs.Bool("fix", false, "remove a Telegram webhook (deleteWebhook), so that calbot can poll")
	timeout := fs.Duration("timeout", 10*time.Second, "time limit of each network check")
	fs.Usage = func() {
		fmt.Fprintln(w, "Usage: calbot doctor [-fix] [-timeout 10s]\n\nChecks the configuration (.env and the environment) and what it points at.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("calbot doctor takes no arguments, got %q", fs.Args())
	}
	if *timeout <= 0 {
		return fmt.Errorf("calbot doctor: -timeout must be positive, got %s", *timeout)
	}

	out := &checkup{w: w}
	cfg := load()
	d := &doctorRun{cfg: cfg, broken: configuration(out, cfg), out: out, client: client, timeout: *timeout, fix: *fix}
	d.telegram(ctx)
	d.google(ctx)
	d.redirectURI()
	d.signIn()
	d.callback(ctx)
	d.storage()

	switch {
	case out.failed > 0:
		return fmt.Errorf("%s found: fix the lines marked ✗ and run calbot doctor again", plural(out.failed, "problem"))
	case out.warned > 0:
		fmt.Fprintf(w, "No problems found; read the %s marked !.\n", plural(out.warned, "warning"))
	default:
		fmt.Fprintln(w, "No problems found.")
	}
	return nil
}

// checkup prints doctor's verdicts as they come and counts them. Every line
// passes through redact, so no secret value reaches the terminal.
type checkup struct {
	w              io.Writer
	secrets        []string
	failed, warned int
}

func (c *checkup) pass(check, format string, args ...any) { c.line("✓", check, format, args...) }
func (c *checkup) fail(check, format string, args ...any) {
	c.failed++
	c.line("✗", check, format, args...)
}
func (c *checkup) warn(check, format string, args ...any) {
	c.warned++
	c.line("!", check, format, args...)
}

func (c *checkup) line(mark, check, format string, args ...any) {
	fmt.Fprintf(c.w, "%s %s: %s\n", mark, check, c.redact(fmt.Sprintf(format, args...)))
}

// hide adds secret values that must never be printed. Very short values are
// left out: replacing them would garble the text and they hide nothing.
func (c *checkup) hide(secrets ...string) {
	for _, s := range secrets {
		if s = strings.TrimSpace(s); len(s) >= 6 {
			c.secrets = append(c.secrets, s, url.PathEscape(s), url.QueryEscape(s))
		}
	}
}

func (c *checkup) redact(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "<redacted>")
	}
	return s
}

// doctorRun is one run of the checks after the configuration was read.
type doctorRun struct {
	cfg     Config
	broken  map[string]bool // variables with a configuration problem
	out     *checkup
	client  *http.Client
	timeout time.Duration
	fix     bool
}

// needs reports whether check can run: none of vars has a problem. If one
// has, it prints the check as skipped.
func (d *doctorRun) needs(check string, vars ...string) bool {
	var bad []string
	for _, v := range vars {
		if d.broken[v] {
			bad = append(bad, v)
		}
	}
	if len(bad) == 0 {
		return true
	}
	d.out.line("–", check, "skipped: fix %s first", strings.Join(bad, " and "))
	return false
}

// configuration prints each problem of cfg and returns the variables that
// have one.
func configuration(out *checkup, cfg Config) (broken map[string]bool) {
	broken = make(map[string]bool)
	out.hide(cfg.Secrets...)
	for _, p := range cfg.Problems {
		out.fail("configuration", "%s", p.Msg)
		for _, v := range p.Vars {
			broken[v] = true
		}
	}
	for _, w := range cfg.Warnings {
		out.warn("configuration", "%s", w)
	}
	if len(cfg.Problems) == 0 {
		out.pass("configuration", "complete")
	}
	return broken
}

// redirectURI prints the URI to register in Cloud Console and warns about
// what Google or a proxy will make of PUBLIC_URL.
func (d *doctorRun) redirectURI() {
	const check = "redirect URI"
	if !d.needs(check, "PUBLIC_URL") {
		return
	}
	uri := oauth.RedirectURL(d.cfg.PublicURL)
	d.out.pass(check, "%s — register exactly this under Authorized redirect URIs (Cloud Console → Clients → your Web client)", uri)
	u, err := url.Parse(d.cfg.PublicURL)
	if err != nil { // validate parsed it already
		return
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil && !ip.IsLoopback() {
		d.out.warn(check, "PUBLIC_URL names the IP address %s: Google accepts no IP address but localhost's in a redirect URI; use a domain name that points here", ip)
	}
	if strings.HasSuffix(d.cfg.RawPublicURL, "/") {
		d.out.warn(check, "PUBLIC_URL ends in \"/\": calbot drops it, so the URI to register is %s, with no double slash", uri)
	}
}

// callback fetches PUBLIC_URL/healthz. If HTTP_ADDR is free, doctor serves
// /healthz there itself for the moment, with a nonce, so that the answer
// proves the way from PUBLIC_URL to HTTP_ADDR; if it is taken, the running
// calbot must answer.
func (d *doctorRun) callback(ctx context.Context) {
	const check = "callback reachable"
	if !d.needs(check, "PUBLIC_URL", "HTTP_ADDR") {
		return
	}
	target := d.cfg.PublicURL + "/healthz"
	addr := d.cfg.HTTPAddr
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		d.callbackRunning(ctx, target)
		return
	}
	if err != nil {
		d.out.fail(check, "cannot listen on HTTP_ADDR (%s), as calbot would: %v. Fix: choose a free port you may use (above 1023 unless calbot has the right to bind low ports)", addr, err)
		return
	}
	nonce := rand.Text()
	var mu sync.Mutex
	var arrived string // the path of a request that reached HTTP_ADDR elsewhere than /healthz
	srv := &http.Server{
		ReadHeaderTimeout: d.timeout,
		ErrorLog:          log.New(io.Discard, "", 0), // what arrives is judged below
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" {
				mu.Lock()
				arrived = oneLine(r.URL.Path, 100)
				mu.Unlock()
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, nonce)
		}),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	defer func() {
		srv.Close()
		<-done
	}()

	status, body, err := d.get(ctx, target)
	mu.Lock()
	path := arrived
	mu.Unlock()
	switch {
	case err != nil:
		d.out.fail(check, "%s did not answer: %v. Fix: %s", target, err, reachHint(err, target, d.timeout))
	case status == http.StatusOK && body == nonce:
		d.out.pass(check, "%s answered, served by this doctor on HTTP_ADDR (%s)", target, addr)
	case path != "":
		d.out.fail(check, "%s reached HTTP_ADDR as %s, not /healthz. Fix: the reverse proxy must strip the path of PUBLIC_URL before forwarding", target, path)
	default:
		d.out.fail(check, "%s answered %d, but not from HTTP_ADDR (%s) on this machine. Fix: point PUBLIC_URL's DNS name and reverse proxy at this machine's HTTP_ADDR", target, status, addr)
	}
}

// callbackRunning checks PUBLIC_URL/healthz against the calbot that holds
// HTTP_ADDR.
func (d *doctorRun) callbackRunning(ctx context.Context, target string) {
	const check = "callback reachable"
	addr := d.cfg.HTTPAddr
	status, body, err := d.get(ctx, target)
	switch {
	case err != nil:
		d.out.fail(check, "HTTP_ADDR (%s) is in use, presumably by a running calbot, but %s did not answer: %v. Fix: %s", addr, target, err, reachHint(err, target, d.timeout))
	case status == http.StatusOK && body == "ok":
		d.out.pass(check, "%s answered ok; HTTP_ADDR (%s) is in use, presumably by the running calbot", target, addr)
	case status == http.StatusServiceUnavailable:
		d.out.warn(check, "%s reached a running calbot, which is not healthy: %s", target, oneLine(body, 100))
	default:
		d.out.fail(check, "%s answered %d, not like calbot; HTTP_ADDR (%s) is in use. Fix: if the program on HTTP_ADDR is not calbot, stop it or change HTTP_ADDR; make the reverse proxy forward PUBLIC_URL to HTTP_ADDR", target, status, addr)
	}
}

// get fetches target and returns the status and the start of the body,
// trimmed. A transport error is returned without the URL, which the caller
// prints anyway.
func (d *doctorRun) get(ctx context.Context, target string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return resp.StatusCode, strings.TrimSpace(string(body)), nil
}

// reachHint says what most likely stands between this machine and target.
func reachHint(err error, target string, timeout time.Duration) string {
	u, _ := url.Parse(target)
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("DNS: make %s resolve to this server (or to the reverse proxy in front of it)", u.Hostname())
	case errors.As(err, &certErr):
		return fmt.Sprintf("HTTPS: the certificate for %s is not valid; let the reverse proxy get one (Caddy does by itself)", u.Hostname())
	case errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Sprintf("HTTPS: %s does not speak TLS; PUBLIC_URL says https but the port serves plain http, or the other way round", u.Host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("nothing accepts connections at %s: start the reverse proxy, or open the port in the firewall", u.Host)
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return fmt.Sprintf("no answer within %s: a firewall probably drops connections to %s", timeout, u.Host)
	}
	return "check DNS, the reverse proxy, the firewall and the HTTPS certificate"
}

// plural is "1 problem", "2 problems".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// oneLine makes text from a remote server fit on one output line.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}
