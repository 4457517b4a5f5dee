package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/calbot/calbot/storage"
)

// listenAdmin opens the operator's channel to a running calbot: a Unix
// socket only its owner may use (mode 0600 in a directory of its own
// choosing). A socket left by a calbot that died is replaced; one that
// answers belongs to a running calbot, which is an error.
func listenAdmin(path string) (net.Listener, error) {
	if len(path) > 100 {
		return nil, fmt.Errorf("ADMIN_SOCKET %s is too long for a Unix socket (at most 100 bytes): set ADMIN_SOCKET to a shorter path", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another calbot answers on ADMIN_SOCKET %s", path)
	}
	os.Remove(path)
	old := umask(0o177)
	ln, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on ADMIN_SOCKET: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restrict ADMIN_SOCKET: %w", err)
	}
	return ln, nil
}

// adminRoutes is the whole admin surface: a consistent copy of the live
// database.
func adminRoutes(db *storage.DB, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if size, err := db.Size(); err == nil {
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		}
		n, err := db.WriteTo(w)
		if err != nil {
			log.Error("backup failed", "err", err, "bytes", n)
			return
		}
		log.Info("backup written", "bytes", n)
	})
	return mux
}

// parseBackupFlags reads `calbot backup [-force] FILE`; flags may come
// after FILE too.
func parseBackupFlags(args []string, w io.Writer) (file string, force bool, err error) {
	fs := subcommandFlags("backup", "backup [-force] FILE", `Writes a consistent copy of the database to FILE: from the running calbot over
ADMIN_SOCKET, or from DB_PATH under its lock when none runs. FILE must not be
DB_PATH, its key file or ADMIN_SOCKET, and must not exist unless -force.`, w)
	fs.BoolVar(&force, "force", false, "replace FILE if it exists")
	if err := fs.Parse(args); err != nil {
		return "", false, err
	}
	if fs.NArg() > 0 {
		file = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return "", false, err
		}
	}
	if file == "" || fs.NArg() > 0 {
		return "", false, errors.New(`usage: calbot backup [-force] FILE (run "calbot backup -h")`)
	}
	return file, force, nil
}

// backup writes a consistent copy of the database to file. It asks the
// running calbot over ADMIN_SOCKET; if none runs, it copies the file itself
// under bbolt's lock. The copy is written beside file and moved into place,
// so a failed backup never leaves half a file under that name. It refuses
// a file that is calbot's own (the database, its key file, the socket), an
// existing file unless force, and one that another process holds open
// under a lock, such as a running calbot's database.
func backup(ctx context.Context, cfg config, file string, force bool, w io.Writer) error {
	if err := backupTarget(cfg, file, force); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".partial-*")
	if err != nil {
		return fmt.Errorf("create backup: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	source, err := copyLive(ctx, cfg.adminSocket(), f)
	if errors.Is(err, errNotRunning) {
		source, err = copyStopped(cfg.DBPath, f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	links, err := checkCopy(tmp)
	if err != nil {
		return fmt.Errorf("backup is not a readable database: %w", err)
	}
	if force {
		// Checked again right before: the window is as small as it gets.
		if err := backupTarget(cfg, file, force); err != nil {
			return err
		}
		err = os.Rename(tmp, file)
	} else if err = os.Link(tmp, file); errors.Is(err, fs.ErrExist) {
		// Link, unlike Rename, never replaces a file made meanwhile.
		return fmt.Errorf("%s exists: choose another name, or pass -force to replace it", file)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(w, "backup written to %s (%s, %s). Keep it with %s or your SECRET_KEY: the tokens in it are sealed with that key.\n",
		file, source, plural(links, "linked chat"), keyFile(cfg.DBPath))
	return nil
}

// backupTarget refuses a backup file that would destroy what calbot needs.
func backupTarget(cfg config, file string, force bool) error {
	for _, own := range []struct{ name, path string }{
		{"DB_PATH", cfg.DBPath}, {"the key file of DB_PATH", keyFile(cfg.DBPath)}, {"ADMIN_SOCKET", cfg.adminSocket()},
	} {
		if samePath(file, own.path) {
			return fmt.Errorf("%s is %s (%s): a backup must go to a file of its own, e.g. calbot-%s.db", file, own.name, own.path, time.Now().Format("2006-01-02"))
		}
	}
	fi, err := os.Lstat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("backup: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s exists and is not a regular file: give the name of a file to write", file)
	case !force:
		return fmt.Errorf("%s exists: choose another name, or pass -force to replace it", file)
	}
	held, err := lockedByOther(file)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if held {
		return fmt.Errorf("%s is held by another process (a running calbot's database?): replacing it would pull the file from under that process; write the backup elsewhere", file)
	}
	return nil
}

// samePath reports whether a and b name the same file: the same path once
// made absolute, or the same existing file through links.
func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ab {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

var errNotRunning = errors.New("calbot is not running")

// copyLive streams a backup from the running calbot.
func copyLive(ctx context.Context, socket string, w io.Writer) (string, error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://calbot/backup", nil)
	resp, err := client.Do(req)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" {
			return "", errNotRunning
		}
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("running calbot answered %s", resp.Status)
	}
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("got %d of %d bytes", n, resp.ContentLength)
	}
	return "from the running calbot via " + socket, err
}

// copyStopped copies the database while no calbot runs, holding its lock so
// none can start meanwhile.
func copyStopped(path string, w io.Writer) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("no running calbot answers, and %w", err)
	}
	_, err := storage.CopyFile(path, w)
	if errors.Is(err, storage.ErrLocked) {
		return "", fmt.Errorf("%s is locked but no calbot answers on ADMIN_SOCKET: is ADMIN_SOCKET the same as the running calbot's?", path)
	}
	return "from " + path + " (calbot was not running)", err
}

// checkCopy opens the copy read-only and counts its linked chats.
func checkCopy(path string) (int, error) {
	info, err := storage.Inspect(path)
	return info.Links, err
}
