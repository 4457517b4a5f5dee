package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/calbot/calbot/bot"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/internal/doctor"
	"github.com/calbot/calbot/internal/sandbox"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/schedule"
	"github.com/calbot/calbot/storage"
	"github.com/kelseyhightower/envconfig"
)

// run is calbot: it reads the configuration and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd = args[1]
	}
	switch cmd {
	case "help", "-h", "-help", "--help":
		return usage(stdout)
	case "version", "-version", "--version":
		if len(args) > 2 {
			return fmt.Errorf("calbot version takes no arguments, got %q", args[2:])
		}
		fmt.Fprintln(stdout, versionLine())
		return nil
	case "doctor":
		return doctor.Run(ctx, args[2:], stdout, nil, doctorConfig)
	case "sandbox":
		return sandbox.Run(ctx, args[2:], os.Stdin, stdout, stderr, sandboxServe)
	case "serve", "healthcheck", "backup":
	default:
		return fmt.Errorf("unknown command %q: run \"calbot help\"", cmd)
	}
	rest := args[min(len(args), 2):]
	if cmd == "backup" {
		// The flags first: -h must not read the configuration.
		file, force, err := parseBackupFlags(rest, stdout)
		if err != nil {
			return ignoreHelp(err)
		}
		if err := readDotEnv(".env"); err != nil {
			return err
		}
		// Only DB_PATH and ADMIN_SOCKET matter here.
		var e env
		if err := envconfig.Process("", &e); err != nil {
			return configError{err.Error()}
		}
		e.DBPath, e.AdminSocket = strings.TrimSpace(e.DBPath), strings.TrimSpace(e.AdminSocket)
		return backup(ctx, config{env: e}, file, force, stdout)
	}
	about := map[string]string{
		"serve":       "Runs the bot until SIGINT or SIGTERM. The configuration comes from the environment and ./.env:",
		"healthcheck": "Asks the calbot on this machine for /healthz on HTTP_ADDR and exits 0 if it answers 200,\n1 otherwise (for container health checks; the image has no curl).",
	}[cmd]
	fs := subcommandFlags(cmd, cmd, about, stdout)
	if cmd == "serve" {
		fs.Usage = func() {
			fmt.Fprintf(stdout, "Usage: calbot serve\n\n%s\n\n", about)
			envconfigUsage(stdout)
		}
	}
	if err := fs.Parse(rest); err != nil {
		return ignoreHelp(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("calbot %s takes no arguments, got %q: run \"calbot %s -h\"", cmd, fs.Args(), cmd)
	}
	if err := readDotEnv(".env"); err != nil {
		return err
	}
	if cmd == "healthcheck" {
		// Only the address matters, and the rest may not be set where a
		// container runtime runs this.
		addr := strings.TrimSpace(os.Getenv("HTTP_ADDR"))
		if addr == "" {
			addr = ":8080"
		}
		return healthcheck(ctx, addr)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	return serve(ctx, cfg, deps{log: newLogger(stderr, cfg)})
}

// sandboxServe is serve for calbot sandbox: vars are the whole
// environment, the rest takes its defaults.
func sandboxServe(ctx context.Context, vars map[string]string, ln net.Listener, logOut io.Writer) error {
	cfg, err := envFrom(vars).validate()
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return serve(ctx, cfg, deps{log: newLogger(logOut, cfg), ln: ln})
}

// subcommandFlags is the flag set of `calbot name`, whose -h prints the
// synopsis, about and the flags to w.
func subcommandFlags(name, synopsis, about string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("calbot "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: calbot %s\n\n%s\n", synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// ignoreHelp turns the -h of a subcommand, whose help is printed, into
// success.
func ignoreHelp(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// newLogger logs to w in LOG_FORMAT at LOG_LEVEL.
func newLogger(w io.Writer, cfg config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// healthcheck asks the calbot on this machine for /healthz and fails unless
// it answers 200: the container image has no curl.
func healthcheck(ctx context.Context, addr string) error {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("healthcheck: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func usage(w io.Writer) error {
	fmt.Fprint(w, `Usage: calbot [command]

calbot is a Telegram bot that links a chat to Google Calendar.

Commands:
  serve                 run the bot (the default)
  doctor [-fix]         check the configuration, Telegram, Google and the database
  sandbox [-lang ru]    try calbot with stand-ins of Telegram and Google, in this terminal
  backup [-force] FILE  write a consistent copy of the database, also while calbot runs
  healthcheck           ask the local calbot's /healthz (for container health checks)
  version               print the version and the revision it was built from
  help                  this text

"calbot COMMAND -h" says more about a command.

A .env file in the working directory is read too; the real environment wins.

`)
	return envconfigUsage(w)
}

// deps are what serve takes from its caller rather than from the
// configuration: tests give a clock and an already bound listener.
type deps struct {
	log *slog.Logger
	now func() time.Time // default time.Now
	ln  net.Listener     // default: listen on HTTP_ADDR
	// startTimeout bounds the calls to Telegram at start (default 20s).
	startTimeout time.Duration
	// clock is the scheduler's time (default: the real clock); a test that
	// fakes now fakes it too, or leaves the scheduler out.
	clock schedule.Clock
	// noSchedule leaves the scheduler out: tests of other features, whose
	// fault injection its background reads would race with.
	noSchedule bool
}

// start runs b.Start within timeout: a Telegram that drops packets must
// fail the start with a message, not hang it.
func start(ctx context.Context, b *bot.Bot, timeout time.Duration, apiURL string) error {
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := b.Start(sctx)
	if err != nil && ctx.Err() == nil && sctx.Err() != nil {
		return fmt.Errorf("telegram did not answer within %s at TELEGRAM_API_URL (%s): check that this machine reaches it (DNS, firewall, an HTTPS proxy) or point TELEGRAM_API_URL at a Bot API server it can reach", timeout, apiURL)
	}
	return err
}

// serve wires calbot together in order and takes it apart in reverse.
func serve(ctx context.Context, cfg config, d deps) error {
	log := d.log
	if d.now == nil {
		d.now = time.Now
	}
	for _, w := range cfg.Warnings {
		log.Warn("configuration may be wrong", "warning", w)
	}
	if err := checkDBPath(cfg.DBPath); err != nil {
		return err
	}
	master, err := chooseKey(cfg.SecretKey, cfg.DBPath, log)
	if err != nil {
		return err
	}
	k, err := deriveKeys(master.key)
	if err != nil {
		return err
	}
	db, err := storage.Open(cfg.DBPath, k.seal, storage.Options{LockTimeout: 3 * time.Second})
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("another calbot is using DB_PATH (%s): stop it first, or give this one its own DB_PATH", cfg.DBPath)
	}
	if err != nil {
		return fmt.Errorf("DB_PATH: %w", err)
	}
	defer db.Close()
	if err := master.check(db, cfg.DBPath, log); err != nil {
		db.Close()
		if master.created {
			os.Remove(keyFile(cfg.DBPath))
		}
		return err
	}

	// Bind before serving, so a taken port is an error now, not a log line.
	ln := d.ln
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			return fmt.Errorf("listen on HTTP_ADDR: %w", err)
		}
	}
	defer ln.Close()

	adminLn, err := listenAdmin(cfg.adminSocket())
	if err != nil {
		return err
	}
	defer adminLn.Close()
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen on METRICS_ADDR: %w", err)
		}
		defer metricsLn.Close()
	}

	reg := newRegistry(db)
	googleHTTP := &http.Client{Timeout: 30 * time.Second, Transport: pooledTransport(cfg.Concurrency)}
	cal := calendar.New(cfg.GoogleCalendarURL, googleHTTP).WithMetrics(calendar.NewMetrics(reg))
	var b *bot.Bot
	var sched *schedule.Scheduler
	flow := oauth.New(oauth.Config{
		ClientID: cfg.GoogleClientID, ClientSecret: cfg.GoogleClientSecret,
		AuthURL: cfg.GoogleAuthURL, TokenURL: cfg.GoogleTokenURL, RevokeURL: cfg.GoogleRevokeURL,
		PublicURL: cfg.PublicURL, StateKey: k.state, HTTPClient: googleHTTP, Logger: log, Now: d.now,
		BotToken: cfg.TelegramBotToken, Check: cfg.SigninCheck,
		OnResult: func(ctx context.Context, r oauth.Result) { b.Notify(ctx, r) },
		Metrics:  oauth.NewMetrics(reg),
	}, db)
	if !d.noSchedule {
		sched = schedule.New(schedule.Config{
			DB: db, Source: calSource{cal: cal, tokens: flow, log: log},
			Settings: db.Settings, Chats: db.Chats, Configured: db.SettingsChats,
			Deliver: func(ctx context.Context, due schedule.Due) error { return b.Deliver(ctx, due) },
			Clock:   d.clock, Logger: log, Metrics: schedule.NewMetrics(reg),
			Interval: cfg.Schedule.Interval, ProjectPerMinute: cfg.Schedule.ProjectPerMinute, UserPerMinute: cfg.Schedule.UserPerMinute,
			AgendaCatchUp: cfg.Schedule.AgendaCatchUp, ReminderCatchUp: cfg.Schedule.ReminderCatchUp,
			// Agendas are handed over at nine tenths of what the bot may
			// send: a wave is spread at about Telegram's pace, and the tenth
			// left over keeps reminders and replies from queueing behind
			// agendas (a chat's messages go out in order).
			AgendaRate: 0.9 * cfg.TelegramGlobalRate,
		})
	}
	b = bot.New(bot.Config{
		Token: cfg.TelegramBotToken, APIURL: cfg.TelegramAPIURL, HTTPClient: &http.Client{Transport: pooledTransport(cfg.Concurrency)},
		Accounts: flow, Calendar: cal, Store: db, Logger: log, Now: d.now,
		Chats: db, CallbackKey: k.callback, EventKey: k.event,
		ShutdownTimeout: cfg.ShutdownTimeout, Workers: cfg.Concurrency,
		GlobalRate: cfg.TelegramGlobalRate, ChatRate: cfg.TelegramChatRate,
		ChatQueue: cfg.ChatQueueCap, ChatBurst: cfg.ChatBurst, ChatEvery: cfg.ChatEvery,
		Metrics: bot.NewMetrics(reg), Planner: planner(sched),
	})
	if err := start(ctx, b, d.startTimeout, cfg.TelegramAPIURL); err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           routes(flow, health(db, b, d.now)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("calbot started", "version", version(), "key_from", master.from, "http_addr", ln.Addr().String(), "redirect_uri", oauth.RedirectURL(cfg.PublicURL), "bot", "@"+b.Username(),
		"signin_check", flow.Check().String())
	if flow.Check() != cfg.SigninCheck {
		log.Warn("SIGNIN_CHECK=telegram needs an https PUBLIC_URL with a domain for login_url buttons; sign-ins show a page naming the Telegram account instead")
	}

	servers := []*http.Server{srv, {Handler: adminRoutes(db, log), ReadHeaderTimeout: 10 * time.Second}}
	listeners := []net.Listener{ln, adminLn}
	if metricsLn != nil {
		servers = append(servers, &http.Server{Handler: metricsRoutes(reg), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second})
		listeners = append(listeners, metricsLn)
		log.Info("metrics served", "metrics_addr", metricsLn.Addr().String())
	}

	g, gctx := errgroup.WithContext(ctx)
	for i, s := range servers {
		g.Go(func() error {
			if err := s.Serve(listeners[i]); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http server on %s: %w", listeners[i].Addr(), err)
			}
			return nil
		})
	}
	g.Go(func() error { return b.Run(gctx) })
	g.Go(func() error { sweep(gctx, flow, log); return nil })
	if sched != nil {
		// After the bot's Start: what it hands over goes to a running bot.
		g.Go(func() error { return sched.Run(gctx) })
	}
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), cfg.ShutdownTimeout)
		defer cancel()
		var errs []error
		for _, s := range servers {
			errs = append(errs, s.Shutdown(sctx))
		}
		return errors.Join(errs...)
	})
	err = g.Wait()
	log.Info("calbot stopped")
	return err
}

// planner is sched as the bot's Planner: nil (no scheduling) when there
// is no scheduler, not a typed nil.
func planner(sched *schedule.Scheduler) bot.Planner {
	if sched == nil {
		return nil
	}
	return sched
}

// checkDBPath refuses a DB_PATH calbot cannot keep its files at, naming
// DB_PATH rather than the key file or the lock it would trip on first.
func checkDBPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("DB_PATH (%s) is a directory: give a file path such as %s", path, filepath.Join(path, "calbot.db"))
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("the directory of DB_PATH (%s) does not exist: create it (mkdir -p %s) and let the user calbot runs as write to it", path, dir)
	}
	return nil
}

// pooledTransport keeps enough idle connections for every handler that may
// run at once: the default two per host made most requests open a new
// connection under load (a quarter of calbot's CPU in the load test).
func pooledTransport(concurrency int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * concurrency
	t.MaxIdleConnsPerHost = concurrency
	return t
}

// sweep deletes expired sign-ins every few minutes until ctx ends.
func sweep(ctx context.Context, flow *oauth.Flow, log *slog.Logger) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if n, err := flow.Sweep(); err != nil {
			log.Warn("sweep failed", "err", err)
		} else if n > 0 {
			log.Debug("swept expired sign-ins", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// health answers /healthz: 200 when the database reads and a poll is in
// flight or Telegram answered recently, else 503 with the reason. now is the
// clock the bot was given.
func health(db *storage.DB, b *bot.Bot, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database: unreadable")
			return
		}
		if !b.Polling(now()) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "telegram: no successful poll recently")
			return
		}
		fmt.Fprintln(w, "ok")
	}
}
