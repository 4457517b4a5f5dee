// Package sandbox is `calbot sandbox`: the real calbot, wired to stand-ins
// of Telegram and Google on 127.0.0.1, with a chat in the terminal.
package sandbox

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/calbot/calbot/storage"

	// The sandbox is the one place where production code imports the *test
	// fakes, on purpose: there the stand-ins of Telegram and Google are the
	// feature. They serve on 127.0.0.1 only, for one simulated user.
	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth/oauthfake"
)

// The sandbox's made-up credentials. They have the shapes calbot checks for
// and open nothing anywhere else.
const (
	sandboxBotToken     = "123456789:AASandboxSandboxSandboxSandbox_xyz"
	sandboxBotName      = "calbot_sandbox_bot"
	sandboxClientID     = "sandbox.apps.googleusercontent.com"
	sandboxClientSecret = "GOCSPX-sandbox-not-a-secret"
)

var (
	// sandboxUser is the person at the terminal, as Telegram shows them.
	sandboxUser = telegramfake.User{ID: 4242, FirstName: "You"}
	// sandboxAccount is the Google account the stand-in consent page signs in as.
	sandboxAccount = oauthfake.Account{Sub: "sandbox-user", Email: "you@example.com"}
)

// sandboxOptions are the sandbox's flags.
type sandboxOptions struct {
	lang    string // the simulated user's Telegram language: "en" or "ru"
	db      string // "": a database in a temporary directory
	addr    string // the callback server's address
	verbose bool   // calbot's log on errOut instead of a file
}

func parseSandboxFlags(args []string, getenv func(string) string, errOut io.Writer) (sandboxOptions, error) {
	fs := flag.NewFlagSet("calbot sandbox", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintln(errOut, "Usage: calbot sandbox [-lang en|ru] [-db FILE] [-addr 127.0.0.1:PORT] [-v]")
		fmt.Fprintln(errOut, "\nTry calbot with no Telegram bot and no Google account: the real calbot, wired to")
		fmt.Fprintln(errOut, "stand-ins of Telegram and Google on 127.0.0.1, and a chat in this terminal.")
		fmt.Fprintln(errOut)
		fs.PrintDefaults()
	}
	var o sandboxOptions
	fs.StringVar(&o.lang, "lang", sandboxUserLang(getenv), "your Telegram language: en or ru, by default from $LANG")
	fs.StringVar(&o.db, "db", "", "keep calbot's database in `FILE` between runs (default: a temporary one, deleted at exit)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "`address` of calbot's callback server, on this machine (port 0: any free port)")
	fs.BoolVar(&o.verbose, "v", false, "show calbot's log here instead of writing it to a file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("calbot sandbox takes no arguments, only flags (got %q): run \"calbot sandbox -h\"", fs.Arg(0))
	}
	if o.lang != "en" && o.lang != "ru" {
		return o, fmt.Errorf("-lang %q: the sandbox speaks en or ru", o.lang)
	}
	return o, nil
}

// sandboxUserLang is "ru" if the locale is Russian, else "en".
func sandboxUserLang(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "ru") {
				return "ru"
			}
			return "en"
		}
	}
	return "en"
}

// Serve runs the real calbot with vars as its whole environment (a variable
// not in vars takes its default), serving the callback on ln and writing its
// log to log, until ctx ends.
type Serve func(ctx context.Context, vars map[string]string, ln net.Listener, log io.Writer) error

// Run runs the real calbot (serve) against built-in stand-ins of Telegram and
// Google, and gives a chat with it in the terminal: lines read from in are
// what the user types, and the bot's replies go to out. It needs no
// configuration and leaves nothing behind unless -db names a file. It
// returns nil when the user types /quit, when in ends, or when ctx ends.
//
// The goroutine reading in cannot be interrupted: if in is the terminal it
// stays blocked until the process exits, which follows at once.
func Run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer, serve Serve) error {
	opts, err := parseSandboxFlags(args, os.Getenv, errOut)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "calbot-sandbox-")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer os.RemoveAll(dir)
	dbPath := opts.db
	if dbPath == "" {
		dbPath = filepath.Join(dir, "calbot.db")
	} else if err := sandboxReuseDB(dbPath); err != nil {
		return err
	}

	logOut, logWhere := errOut, ""
	if !opts.verbose {
		logWhere = filepath.Join(dir, "calbot.log")
		f, err := os.OpenFile(logWhere, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		defer f.Close()
		logOut = f
	}

	ln, err := sandboxListen(opts.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	public := "http://" + ln.Addr().String()

	zoneName := sandboxLocalZone()
	zone, _ := time.LoadLocation(zoneName) // sandboxLocalZone returns loadable names only
	si, err := startSandboxFakes(public)
	if err != nil {
		return err
	}
	defer si.close()
	si.cal.SetZone(sandboxAccount.Email, zoneName)
	sandboxSeed(si.cal, sandboxAccount.Email, time.Now().In(zone), opts.lang)

	vars := si.env(public, ln.Addr().String(), dbPath)
	sctx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	served := make(chan struct{})
	var serveErr error
	go func() {
		defer close(served)
		serveErr = serve(sctx, vars, ln, logOut)
	}()
	// Stop calbot before the stand-ins close under it. Stopping it early,
	// while it is still starting, is no error.
	stopped := func() error {
		stopServe()
		<-served
		if errors.Is(serveErr, context.Canceled) {
			return nil
		}
		return serveErr
	}
	defer stopped()

	con := newSandboxConsole(out, opts.lang, sandboxColor(out))
	con.welcome(zoneName, logWhere, opts.db)
	chat := newSandboxChat(si, con, public, opts.lang)
	chat.run(ctx, in, served)
	if err := stopped(); err != nil {
		return err
	}
	con.bye(opts.db)
	return nil
}

// sandboxReuseDB readies a database kept by -db from an earlier run. The
// stand-in Telegram numbers its updates from the start every time, where the
// real one never goes back, so the offset calbot stored would make it take
// every new update for an old one: it is set back to 0. A database with
// other chats' links is a real calbot's and is refused.
func sandboxReuseDB(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	// Nothing sealed is read or written here, so any key opens it.
	db, err := storage.Open(path, make([]byte, 32), storage.Options{LockTimeout: 3 * time.Second})
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("another calbot is using %s: stop it first, or give the sandbox its own -db", path)
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer db.Close()
	if n, err := db.CountLinks(); err != nil || n > 1 {
		return fmt.Errorf("%s holds %d linked chats: it looks like a real calbot's database; give the sandbox a file of its own (err: %v)", path, n, err)
	}
	if err := db.Enqueue(0, nil); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return db.Close()
}

// sandboxListen listens on addr, which must be on this machine: the stand-ins
// trust whoever reaches them. An empty host or "localhost" is 127.0.0.1, so
// that the sign-in link has a host Telegram accepts on a button.
func sandboxListen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-addr %q is not host:port, e.g. 127.0.0.1:8080", addr)
	}
	if host == "" || host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() || ip.To4() == nil {
		return nil, fmt.Errorf("-addr %q: the sandbox listens on this machine only; give 127.0.0.1:PORT", addr)
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen for calbot's callback server: %w", err)
	}
	return ln, nil
}
