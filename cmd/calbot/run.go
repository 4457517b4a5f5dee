package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/calbot/calbot/bot"
	"github.com/calbot/calbot/calendar"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// shutdownTimeout bounds how long a stop waits for requests in flight.
const shutdownTimeout = 10 * time.Second

// run is calbot: it reads the configuration and serves until ctx ends.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 1 {
		switch args[1] {
		case "help", "-h", "-help", "--help":
			return usage(stderr)
		case "serve":
		default:
			return fmt.Errorf("unknown command %q: run \"calbot help\"", args[1])
		}
	}
	if err := readDotEnv(".env"); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return serve(ctx, cfg, deps{log: log})
}

func usage(w io.Writer) error {
	fmt.Fprintln(w, "Usage: calbot [serve]\n\ncalbot is a Telegram bot that links a chat to Google Calendar.")
	fmt.Fprintln(w, "A .env file in the working directory is read too; the real environment wins.")
	fmt.Fprintln(w)
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
	if master == nil {
		var err error
		if master, err = loadOrCreateKey(keyFile(cfg.DBPath), log); err != nil {
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

	// Bind before serving, so a taken port is an error now, not a log line.
	ln := d.ln
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
			return fmt.Errorf("listen on HTTP_ADDR: %w", err)
		}
	}
	defer ln.Close()

	googleHTTP := &http.Client{Timeout: 30 * time.Second}
	cal := calendar.New(cfg.GoogleCalendarURL, googleHTTP)
	var b *bot.Bot
	flow := oauth.New(oauth.Config{
		ClientID: cfg.GoogleClientID, ClientSecret: cfg.GoogleClientSecret,
		AuthURL: cfg.GoogleAuthURL, TokenURL: cfg.GoogleTokenURL, RevokeURL: cfg.GoogleRevokeURL,
		PublicURL: cfg.PublicURL, StateKey: k.state, HTTPClient: googleHTTP, Logger: log, Now: d.now,
		OnResult: func(ctx context.Context, r oauth.Result) { b.Notify(ctx, r) },
	}, db)
	b = bot.New(bot.Config{
		Token: cfg.TelegramBotToken, APIURL: cfg.TelegramAPIURL, HTTPClient: &http.Client{},
		Accounts: flow, Calendar: cal, DB: db, Logger: log, Now: d.now,
	})
	if err := b.Start(ctx); err != nil {
		return err
	}

	srv := &http.Server{
		Handler:           routes(flow, health(db, b)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("calbot started", "http_addr", ln.Addr().String(), "redirect_uri", oauth.RedirectURL(cfg.PublicURL), "bot", "@"+b.Username())

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	g.Go(func() error { return b.Run(gctx) })
	g.Go(func() error { sweep(gctx, flow, log); return nil })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), shutdownTimeout)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	err = g.Wait()
	log.Info("calbot stopped")
	return err
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

// health answers /healthz: 200 when the database reads and Telegram answered
// a poll recently, else 503 with the reason.
func health(db *storage.DB, b *bot.Bot) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database: unreadable")
			return
		}
		if !b.Polling(time.Now()) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "telegram: no successful poll recently")
			return
		}
		fmt.Fprintln(w, "ok")
	}
}
