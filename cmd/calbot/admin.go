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

// backup writes a consistent copy of the database to file. It asks the
// running calbot over ADMIN_SOCKET; if none runs, it copies the file itself
// under bbolt's lock. The copy is written beside file and renamed into
// place, so a failed backup never leaves half a file under that name.
func backup(ctx context.Context, cfg config, file string, w io.Writer) error {
	tmp := file + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create backup: %w", err)
	}
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
	if err := os.Rename(tmp, file); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(w, "backup written to %s (%s, %d linked chats). Keep it with %s or your SECRET_KEY: the tokens in it are sealed with that key.\n",
		file, source, links, keyFile(cfg.DBPath))
	return nil
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
