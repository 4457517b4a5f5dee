package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/calbot/calbot/bot"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
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
	case "doctor":
		return doctor(ctx, args[2:], stdout)
	case "sandbox":
		return sandbox(ctx, args[2:], os.Stdin, stdout, stderr)
	case "serve", "healthcheck", "backup":
	default:
		return fmt.Errorf("unknown command %q: run \"calbot help\"", cmd)
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
	if cmd == "backup" {
		if len(args) != 3 {
			return errors.New("usage: calbot backup FILE")
		}
		// Only DB_PATH and ADMIN_SOCKET matter here.
		var e env
		if err := envconfig.Process("", &e); err != nil {
			return configError{err.Error()}
		}
		e.DBPath, e.AdminSocket = strings.TrimSpace(e.DBPath), strings.TrimSpace(e.AdminSocket)
		return backup(ctx, config{env: e}, args[2], stdout)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	return serve(ctx, cfg, deps{log: newLogger(stderr, cfg)})
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
  serve              run the bot (the default)
  doctor [-fix]      check the configuration, Telegram, Google and the database
  sandbox [-lang ru] try calbot with stand-ins of Telegram and Google, in this terminal
  backup FILE        write a consistent copy of the database, also while calbot runs
  healthcheck        ask the local calbot's /healthz (for container health checks)
  help               this text

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
}

// serve wires calbot together in order and takes it apart in reverse.
func serve(ctx context.Context, cfg config, d deps) error {
	log := d.log
	if d.now == nil {
		d.now = time.Now
	}
	master := cfg.SecretKey
	created := false
	if master == nil {
		var err error
		if master, created, err = loadOrCreateKey(keyFile(cfg.DBPath), log); err != nil {
			return err
		}
	}
	k, err := deriveKeys(master)
	if err != nil {
		return err
	}
	db, err := storage.Open(cfg.DBPath, k.seal, storage.Options{LockTimeout: 3 * time.Second})
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("another calbot is using DB_PATH (%s): stop it first, or give this one its own DB_PATH", cfg.DBPath)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if created {
		// A new key cannot open the tokens already stored: say so rather than
		// fail later, chat by chat.
		if n, err := db.CountLinks(); err == nil && n > 0 {
			db.Close()
			os.Remove(keyFile(cfg.DBPath))
			return fmt.Errorf("%s holds %d linked chats but its key file %s is missing: restore the key file or set SECRET_KEY (to start over, move the database away)", cfg.DBPath, n, keyFile(cfg.DBPath))
		}
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
	flow := oauth.New(oauth.Config{
		ClientID: cfg.GoogleClientID, ClientSecret: cfg.GoogleClientSecret,
		AuthURL: cfg.GoogleAuthURL, TokenURL: cfg.GoogleTokenURL, RevokeURL: cfg.GoogleRevokeURL,
		PublicURL: cfg.PublicURL, StateKey: k.state, HTTPClient: googleHTTP, Logger: log, Now: d.now,
		OnResult: func(ctx context.Context, r oauth.Result) { b.Notify(ctx, r) },
		Metrics:  oauth.NewMetrics(reg),
	}, db)
	b = bot.New(bot.Config{
		Token: cfg.TelegramBotToken, APIURL: cfg.TelegramAPIURL, HTTPClient: &http.Client{Transport: pooledTransport(cfg.Concurrency)},
		Accounts: flow, Calendar: cal, DB: db, Logger: log, Now: d.now,
		ShutdownTimeout: cfg.ShutdownTimeout, Workers: cfg.Concurrency,
		GlobalRate: cfg.TelegramGlobalRate, ChatRate: cfg.TelegramChatRate,
		ChatQueue: cfg.ChatQueueCap, ChatBurst: cfg.ChatBurst, ChatEvery: cfg.ChatEvery,
		Metrics: bot.NewMetrics(reg),
	})
	if err := b.Start(ctx); err != nil {
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
	log.Info("calbot started", "http_addr", ln.Addr().String(), "redirect_uri", oauth.RedirectURL(cfg.PublicURL), "bot", "@"+b.Username())

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
