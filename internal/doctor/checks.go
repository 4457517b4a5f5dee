package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/storage"
)

// telegram checks the bot token with getMe and that no webhook blocks
// long polling; with -fix it removes the webhook.
func (d *doctorRun) telegram(ctx context.Context) {
	const check = "telegram"
	if !d.needs(check, "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL") {
		return
	}
	var me struct {
		Username string `json:"username"`
	}
	if err := d.botCall(ctx, "getMe", &me); err != nil {
		var be *botError
		if errors.As(err, &be) && (be.code == http.StatusUnauthorized || be.code == http.StatusNotFound) {
			d.out.fail(check, "Telegram refused the token (%d %s). Fix: copy it again from @BotFather (/mybots → your bot → API Token) into TELEGRAM_BOT_TOKEN", be.code, be.desc)
			return
		}
		d.out.fail(check, "getMe failed: %v. Fix: check that this machine reaches TELEGRAM_API_URL (%s): DNS, firewall, proxy", err, d.cfg.TelegramAPIURL)
		return
	}
	d.out.pass(check, "token valid, bot @%s", me.Username)

	var hook struct {
		URL string `json:"url"`
	}
	if err := d.botCall(ctx, "getWebhookInfo", &hook); err != nil {
		d.out.fail(check, "getWebhookInfo failed: %v", err)
		return
	}
	if hook.URL == "" {
		d.out.pass(check, "no webhook set, so long polling works")
		return
	}
	// People put the token into webhook paths.
	shown := strings.ReplaceAll(oneLine(hook.URL, 200), d.cfg.TelegramBotToken, "<TELEGRAM_BOT_TOKEN>")
	if !d.fix {
		d.out.fail(check, "a webhook is set (%s); calbot uses long polling, which Telegram refuses while a webhook exists. Fix: calbot doctor -fix (calls deleteWebhook)", shown)
		return
	}
	// Pending updates are kept: calbot will fetch them.
	if err := d.botCall(ctx, "deleteWebhook", nil); err != nil {
		d.out.fail(check, "a webhook is set (%s) and deleteWebhook failed: %v", shown, err)
		return
	}
	d.out.pass(check, "removed the webhook (%s) with deleteWebhook; calbot can poll now", shown)
}

// signIn says how sign-ins are bound to the Telegram user and what the
// operator must have done for it. Whether the domain is linked to the bot
// cannot be asked of the Bot API, so doctor says how to check it.
func (d *doctorRun) signIn() {
	const check = "sign-in"
	if !d.needs(check, "PUBLIC_URL", "SIGNIN_CHECK") {
		return
	}
	host := d.cfg.PublicURL
	if u, err := url.Parse(d.cfg.PublicURL); err == nil {
		host = u.Hostname()
	}
	switch {
	case d.cfg.SigninCheck == oauth.CheckPage:
		d.out.pass(check, "SIGNIN_CHECK=page: /oauth/start shows a page naming the Telegram account before Google")
	case strings.HasPrefix(d.cfg.PublicURL, "http://"):
		// Plain http is allowed only on loopback: local development.
		d.out.pass(check, "local development over http: /oauth/start shows a page naming the Telegram account before Google (login_url buttons need https and a domain)")
	case !oauth.LoginURLWorks(d.cfg.PublicURL):
		d.out.warn(check, "Telegram's login_url buttons need an https PUBLIC_URL with a domain, so calbot shows a page naming the Telegram account instead. Fix: serve calbot over https on a domain, or set SIGNIN_CHECK=page to choose the page")
	default:
		d.out.pass(check, "login_url buttons to %s: Telegram must know that domain. Set it in @BotFather: /setdomain, pick the bot, send %s. To check: send /connect and press the button; \"Bot domain invalid\" means it is not set", host, host)
	}
}

// botError is a Bot API answer with "ok": false.
type botError struct {
	code int
	desc string
}

func (e *botError) Error() string { return fmt.Sprintf("Telegram answered %d %s", e.code, e.desc) }

// botCall calls a Bot API method without parameters and decodes its result
// into result, if not nil. Errors never contain the token.
func (d *doctorRun) botCall(ctx context.Context, method string, result any) error {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	token := d.cfg.TelegramBotToken
	scrub := strings.NewReplacer(token, "<TELEGRAM_BOT_TOKEN>", url.PathEscape(token), "<TELEGRAM_BOT_TOKEN>")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.cfg.TelegramAPIURL+"/bot"+token+"/"+method, nil)
	if err != nil {
		return errors.New(scrub.Replace(err.Error()))
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return errors.New(scrub.Replace(err.Error()))
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&r); err != nil {
		return fmt.Errorf("%s answered %s, not in the Bot API's JSON: check TELEGRAM_API_URL", method, resp.Status)
	}
	if !r.OK {
		if r.ErrorCode == 0 {
			r.ErrorCode = resp.StatusCode
		}
		return &botError{code: r.ErrorCode, desc: oneLine(scrub.Replace(r.Description), 200)}
	}
	if result != nil {
		if err := json.Unmarshal(r.Result, result); err != nil {
			return fmt.Errorf("read %s: %w", method, err)
		}
	}
	return nil
}

// google exchanges a made-up code at the token endpoint. Google checks the
// client before the code, so invalid_grant means the id and secret are right.
func (d *doctorRun) google(ctx context.Context) {
	const check = "google"
	if !d.needs(check, "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_CREDENTIALS_FILE", "GOOGLE_TOKEN_URL", "PUBLIC_URL") {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	redirect := oauth.RedirectURL(d.cfg.PublicURL)
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {"calbot-doctor-invalid-code"},
		"redirect_uri":  {redirect},
		"client_id":     {d.cfg.GoogleClientID},
		"client_secret": {d.cfg.GoogleClientSecret},
		"code_verifier": {oauth2.GenerateVerifier()},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.cfg.GoogleTokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		d.out.fail(check, "GOOGLE_TOKEN_URL: %v", err)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := d.client.Do(req)
	if err != nil {
		d.out.fail(check, "cannot reach the token endpoint: %v. Fix: check that this machine reaches GOOGLE_TOKEN_URL (%s): DNS, firewall, proxy", err, d.cfg.GoogleTokenURL)
		return
	}
	defer resp.Body.Close()
	var answer struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&answer) // a body that is not JSON leaves it empty
	says := ""
	if answer.Description != "" {
		says = fmt.Sprintf(" (%q)", oneLine(answer.Description, 120))
	}
	fix := "Fix: copy the secret again from Cloud Console (Google Auth Platform → Clients → your Web client), check for spaces or line breaks; if lost, add a new secret there and update GOOGLE_CLIENT_SECRET"
	if d.cfg.GoogleCredentialsFile != "" {
		fix = "Fix: download the client's JSON again from Cloud Console (Google Auth Platform → Clients → your Web client) and point GOOGLE_CREDENTIALS_FILE at it; if the secret was lost, add a new secret there first"
	}
	switch {
	case answer.Error == "invalid_grant":
		d.out.pass(check, "client id and secret accepted by the token endpoint")
	case answer.Error == "invalid_client" || answer.Error == "unauthorized_client":
		d.out.fail(check, "%s%s: the client id or secret is wrong. %s", answer.Error, says, fix)
	case answer.Error == "deleted_client" || answer.Error == "disabled_client":
		d.out.fail(check, "%s%s: the OAuth client was deleted or disabled in Cloud Console. Fix: restore it there, or create a new Web application client and update GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET", answer.Error, says)
	case answer.Error == "redirect_uri_mismatch":
		d.out.fail(check, "redirect_uri_mismatch: the redirect URI is not registered for this client. Fix: add %s under Authorized redirect URIs", redirect)
	case resp.StatusCode == http.StatusOK:
		d.out.fail(check, "the token endpoint accepted a made-up code: GOOGLE_TOKEN_URL (%s) is not Google's token endpoint; unset it", d.cfg.GoogleTokenURL)
	case answer.Error != "":
		d.out.fail(check, "the token endpoint answered %s %s%s", resp.Status, answer.Error, says)
	default:
		d.out.fail(check, "GOOGLE_TOKEN_URL (%s) answered %s, not an OAuth error: check it, or unset it for Google's", d.cfg.GoogleTokenURL, resp.Status)
	}
}

// dbState is what the database check found, for the secret key check.
type dbState int

const (
	dbFailed dbState = iota // unusable, already reported
	dbAbsent                // not created yet, or empty
	dbLocked                // held by a running calbot
	dbOpen                  // read; links is known
)

// storage checks the database file and the secret key that opens it.
func (d *doctorRun) storage() {
	if !d.needs("database", "DB_PATH") {
		d.needs("secret key", "DB_PATH")
		return
	}
	state, links := d.database()
	d.secretKey(state, links)
}

// database checks that DB_PATH can be written and is not locked, without
// creating it or writing to it.
func (d *doctorRun) database() (state dbState, links int) {
	const check = "database"
	path := d.cfg.DBPath
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			d.out.fail(check, "the directory of DB_PATH (%s) does not exist. Fix: create it (mkdir -p %s) and let the user calbot runs as write to it", dir, dir)
			return dbFailed, 0
		}
		f, err := os.CreateTemp(dir, ".calbot-doctor-*")
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // not the name of the file it tried
			}
			d.out.fail(check, "%s cannot be created: %v. Fix: let the user calbot runs as write to the directory %s", path, err, dir)
			return dbFailed, 0
		}
		f.Close()
		os.Remove(f.Name())
		d.out.pass(check, "%s does not exist yet; calbot creates it on first start (the directory is writable)", path)
		return dbAbsent, 0
	case err != nil:
		d.out.fail(check, "%v", err)
		return dbFailed, 0
	case fi.IsDir():
		d.out.fail(check, "DB_PATH (%s) is a directory. Fix: give a file path such as %s", path, filepath.Join(path, "calbot.db"))
		return dbFailed, 0
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		d.out.fail(check, "%s is not writable: %v. Fix: run calbot as the user that owns the file, or chown it to that user", path, err)
		return dbFailed, 0
	}
	f.Close()
	if fi.Size() == 0 {
		d.out.pass(check, "%s is empty; calbot sets it up on first start", path)
		return dbAbsent, 0
	}

	info, err := storage.Inspect(path)
	if errors.Is(err, storage.ErrLocked) {
		d.out.warn(check, "%s is locked by a running calbot (fine if it is this one; a second calbot cannot share the file)", path)
		return dbLocked, 0
	}
	if err != nil {
		d.out.fail(check, "%s cannot be read: %v. Fix: restore it from a backup, or move it away to start over", path, err)
		return dbFailed, 0
	}
	links = info.Links
	d.out.pass(check, "%s writable, not locked, %s", path, plural(links, "linked chat"))
	return dbOpen, links
}

// secretKey checks that calbot has its master key (SECRET_KEY or the key
// file beside the database) and that it opens a stored token. It never
// creates the key file.
func (d *doctorRun) secretKey(state dbState, links int) {
	const check = "secret key"
	if !d.needs(check, "SECRET_KEY") {
		return
	}
	if state == dbFailed {
		d.out.line("–", check, "skipped: fix the database first")
		return
	}
	path := d.cfg.DBPath
	key, source, subject := d.cfg.SecretKey, "SECRET_KEY set", "SECRET_KEY"
	if key != nil && d.keyFileDiffers() {
		// As calbot does at start: a new SECRET_KEY never silently wins.
		kf := d.cfg.KeyFile
		if links > 0 || state == dbLocked {
			d.out.fail(check, "SECRET_KEY and the key file %s hold different keys, and %s holds linked chats: calbot refuses to start. Fix: keep the one they were sealed with and remove the other (unset SECRET_KEY, or move %s away)", kf, path, kf)
			return
		}
		d.out.warn(check, "the key file %s holds another key than SECRET_KEY; calbot uses SECRET_KEY and ignores the file while no chat is linked. Fix: move %s away", kf, kf)
	}
	if key == nil {
		kf := d.cfg.KeyFile
		raw, err := os.ReadFile(kf)
		switch {
		case errors.Is(err, fs.ErrNotExist) && links > 0:
			d.out.fail(check, "%s holds %s but SECRET_KEY is not set and the key file %s is missing, so their tokens cannot be read. Fix: restore %s from your backup or set SECRET_KEY (to start over, move the database away)", path, plural(links, "linked chat"), kf, kf)
			return
		case errors.Is(err, fs.ErrNotExist) && state == dbLocked:
			d.out.warn(check, "SECRET_KEY is not set and %s is missing, yet a calbot holds the database: it must get its key elsewhere; give this configuration the same SECRET_KEY", kf)
			return
		case errors.Is(err, fs.ErrNotExist):
			d.out.pass(check, "SECRET_KEY is not set; calbot will create %s on first start. Back it up with the database", kf)
			return
		case err != nil:
			d.out.fail(check, "cannot read the key file %s: %v. Fix: let the user calbot runs as read it", kf, err)
			return
		}
		if key, err = d.cfg.DecodeKey(strings.TrimSpace(string(raw))); err != nil {
			d.out.fail(check, "the key file %s %v. Fix: restore it from your backup (tokens sealed with another key cannot be read)", kf, err)
			return
		}
		source, subject = kf+" present", "the key in "+kf
		if fi, err := os.Stat(kf); err == nil && fi.Mode().Perm()&0o077 != 0 {
			d.out.warn(check, "%s can be read by other users (mode %04o). Fix: chmod 600 %s", kf, fi.Mode().Perm(), kf)
		}
	}
	if state != dbOpen || links == 0 {
		note := ""
		if state == dbLocked {
			note = " (not tried on the database while it is locked)"
		}
		d.out.pass(check, "%s%s", source, note)
		return
	}
	opens, err := keyOpens(path, key)
	switch {
	case errors.Is(err, storage.ErrLocked):
		d.out.pass(check, "%s (not tried on the database: a calbot took it meanwhile)", source)
	case err != nil:
		d.out.fail(check, "cannot try the key on %s: %v", path, err)
	case !opens:
		d.out.fail(check, "%s does not open the tokens in %s (%s): it is not the key they were sealed with. Fix: restore the right SECRET_KEY or key file from your backup (to start over, move the database away)", subject, path, plural(links, "linked chat"))
	default:
		d.out.pass(check, "%s; it opens the stored tokens (%s)", source, plural(links, "linked chat"))
	}
}

// keyFileDiffers reports whether a key file exists beside the database
// that does not hold SECRET_KEY.
func (d *doctorRun) keyFileDiffers() bool {
	raw, err := os.ReadFile(d.cfg.KeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	k, err := d.cfg.DecodeKey(strings.TrimSpace(string(raw)))
	return err != nil || !bytes.Equal(k, d.cfg.SecretKey)
}

// keyOpens reports whether master opens the stored links, with the check
// calbot makes at start (storage.CheckKey). Like every start of calbot,
// storage.Open rewrites the schema version and makes the file mode 0600;
// nothing else changes.
func keyOpens(path string, master []byte) (bool, error) {
	seal, err := storage.SealKey(master)
	if err != nil {
		return false, err
	}
	db, err := storage.Open(path, seal, storage.Options{LockTimeout: 500 * time.Millisecond})
	if err != nil {
		return false, err
	}
	defer db.Close()
	_, err = db.CheckKey()
	if errors.Is(err, storage.ErrWrongKey) {
		return false, nil
	}
	return err == nil, err
}
