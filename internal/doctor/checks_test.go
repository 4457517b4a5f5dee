package doctor

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calbot/calbot/bot/telegramfake"
	"github.com/calbot/calbot/oauth"
	"github.com/calbot/calbot/oauth/oauthfake"
	"github.com/calbot/calbot/storage"
)

func TestDoctorTelegram(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name:  "token refused",
			setup: func(t *testing.T, f *doctorFixture) { f.set("TELEGRAM_BOT_TOKEN", otherToken) },
			want: []string{
				"✗ telegram: Telegram refused the token (401 Unauthorized). Fix: copy it again from @BotFather (/mybots → your bot → API Token) into TELEGRAM_BOT_TOKEN",
				"✓ google: client id and secret accepted by the token endpoint",
			},
			wantErr: "1 problem found",
		},
		{
			name:  "telegram unreachable",
			setup: func(t *testing.T, f *doctorFixture) { f.set("TELEGRAM_API_URL", "http://"+f.other) },
			want: []string{
				`✗ telegram: getMe failed: Post "http://OTHER/bot<TELEGRAM_BOT_TOKEN>/getMe": dial tcp OTHER: connect: connection refused. Fix: check that this machine reaches TELEGRAM_API_URL (http://OTHER): DNS, firewall, proxy`,
			},
			wantErr: "1 problem found",
		},
		{
			name:  "webhook set",
			setup: func(t *testing.T, f *doctorFixture) { f.tg.SetWebhook("https://hook.example.com/tg/" + testBotToken) },
			want: []string{
				"✓ telegram: token valid, bot @calbot_test_bot",
				"✗ telegram: a webhook is set (https://hook.example.com/tg/<TELEGRAM_BOT_TOKEN>); calbot uses long polling, which Telegram refuses while a webhook exists. Fix: calbot doctor -fix (calls deleteWebhook)",
			},
			wantErr: "1 problem found",
			after: func(t *testing.T, f *doctorFixture) {
				if n := f.tg.Calls("deleteWebhook"); n != 0 {
					t.Errorf("deleteWebhook called %d times without -fix", n)
				}
			},
		},
		{
			name:  "-fix removes the webhook",
			setup: func(t *testing.T, f *doctorFixture) { f.tg.SetWebhook("https://hook.example.com/tg") },
			args:  []string{"-fix"},
			want:  []string{"✓ telegram: removed the webhook (https://hook.example.com/tg) with deleteWebhook; calbot can poll now"},
			after: func(t *testing.T, f *doctorFixture) {
				if n := f.tg.Calls("deleteWebhook"); n != 1 {
					t.Errorf("deleteWebhook called %d times, want 1", n)
				}
			},
		},
		{
			name: "-fix when deleteWebhook fails",
			setup: func(t *testing.T, f *doctorFixture) {
				f.tg.SetWebhook("https://hook.example.com/tg")
				f.tg.FailNext("deleteWebhook", 1, telegramfake.Fault{Code: 500, Description: "Internal Server Error"})
			},
			args:    []string{"-fix"},
			want:    []string{"✗ telegram: a webhook is set (https://hook.example.com/tg) and deleteWebhook failed: Telegram answered 500 Internal Server Error"},
			wantErr: "1 problem found",
		},
	})
}

func TestDoctorGoogle(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name:  "wrong client secret",
			setup: func(t *testing.T, f *doctorFixture) { f.set("GOOGLE_CLIENT_SECRET", otherSecret) },
			want: []string{
				`✗ google: invalid_client ("Unauthorized"): the client id or secret is wrong. Fix: copy the secret again from Cloud Console (Google Auth Platform → Clients → your Web client), check for spaces or line breaks; if lost, add a new secret there and update GOOGLE_CLIENT_SECRET`,
			},
			wantErr: "1 problem found",
		},
		{
			name: "unknown client id",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("GOOGLE_CLIENT_ID", "999-other.apps.googleusercontent.com")
			},
			want: []string{
				`✗ google: invalid_client ("The OAuth client was not found."): the client id or secret is wrong. Fix: copy the secret again…`,
			},
			wantErr: "1 problem found",
		},
		{
			name: "credentials file with a reset secret",
			setup: func(t *testing.T, f *doctorFixture) {
				// calbot read the client from the file.
				f.set("GOOGLE_CREDENTIALS_FILE", filepath.Join(f.dir, "client_secret.json"))
				f.set("GOOGLE_CLIENT_SECRET", otherSecret)
			},
			want: []string{
				`✗ google: invalid_client ("Unauthorized"): the client id or secret is wrong. Fix: download the client's JSON again from Cloud Console (Google Auth Platform → Clients → your Web client) and point GOOGLE_CREDENTIALS_FILE at it; if the secret was lost, add a new secret there first`,
			},
			wantErr: "1 problem found",
		},
		{
			name: "redirect URI not registered",
			setup: func(t *testing.T, f *doctorFixture) {
				// The fake, like Google, checks the code before the redirect
				// URI, so only a fault can produce this answer.
				f.g.FailNext(oauthfake.TokenPath, 1, 400, `{"error":"redirect_uri_mismatch","error_description":"Bad Request"}`)
			},
			want: []string{
				"✗ google: redirect_uri_mismatch: the redirect URI is not registered for this client. Fix: add http://ADDR/oauth/callback under Authorized redirect URIs",
			},
			wantErr: "1 problem found",
		},
		{
			name: "client deleted",
			setup: func(t *testing.T, f *doctorFixture) {
				f.g.FailNext(oauthfake.TokenPath, 1, 401, `{"error":"deleted_client","error_description":"The OAuth client was deleted."}`)
			},
			want: []string{
				`✗ google: deleted_client ("The OAuth client was deleted."): the OAuth client was deleted or disabled in Cloud Console. Fix: restore it there, or create a new Web application client and update GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET`,
			},
			wantErr: "1 problem found",
		},
		{
			name: "token endpoint is not one",
			setup: func(t *testing.T, f *doctorFixture) {
				f.g.FailNext(oauthfake.TokenPath, 1, 404, "<!DOCTYPE html><p>Not Found")
			},
			want:    []string{"✗ google: GOOGLE_TOKEN_URL (…"},
			wantErr: "1 problem found",
		},
		{
			name:    "token endpoint unreachable",
			setup:   func(t *testing.T, f *doctorFixture) { f.set("GOOGLE_TOKEN_URL", "http://"+f.other+"/token") },
			want:    []string{`✗ google: cannot reach the token endpoint: Post "http://OTHER/token": dial tcp OTHER: connect: connection refused. Fix: check that this machine reaches GOOGLE_TOKEN_URL (http://OTHER/token): DNS, firewall, proxy`},
			wantErr: "1 problem found",
		},
	})
}

func TestDoctorStorage(t *testing.T) {
	checkDoctor(t, []doctorCase{
		{
			name: "database locked",
			setup: func(t *testing.T, f *doctorFixture) {
				seal, _ := storage.SealKey(mustDecodeKey(t, testSecretKey))
				db, err := storage.Open(f.dbPath, seal, storage.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
			},
			want: []string{
				"! database: DIR/calbot.db is locked by a running calbot (fine if it is this one; a second calbot cannot share the file)",
				"✓ secret key: SECRET_KEY set (not tried on the database while it is locked)",
			},
		},
		{
			name:  "SECRET_KEY opens the tokens",
			setup: func(t *testing.T, f *doctorFixture) { seedLinks(t, f.dbPath, mustDecodeKey(t, testSecretKey), 2) },
			want: []string{
				"✓ database: DIR/calbot.db writable, not locked, 2 linked chats",
				"✓ secret key: SECRET_KEY set; it opens the stored tokens (2 linked chats)",
			},
		},
		{
			name:  "SECRET_KEY does not open the tokens",
			setup: func(t *testing.T, f *doctorFixture) { seedLinks(t, f.dbPath, otherMaster, 1) },
			want: []string{
				"✓ database: DIR/calbot.db writable, not locked, 1 linked chat",
				"✗ secret key: SECRET_KEY does not open the tokens in DIR/calbot.db (1 linked chat): it is not the key they were sealed with. Fix: restore the right SECRET_KEY or key file from your backup (to start over, move the database away)",
			},
			wantErr: "1 problem found",
		},
		{
			name: "key file missing with linked chats",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("SECRET_KEY", "")
				seedLinks(t, f.dbPath, otherMaster, 3)
			},
			want: []string{
				"✗ secret key: DIR/calbot.db holds 3 linked chats but SECRET_KEY is not set and the key file DIR/calbot.db.key is missing, so their tokens cannot be read. Fix: restore DIR/calbot.db.key from your backup or set SECRET_KEY (to start over, move the database away)",
			},
			wantErr: "1 problem found",
			after: func(t *testing.T, f *doctorFixture) {
				if _, err := os.Stat(f.dbPath + ".key"); err == nil {
					t.Errorf("doctor created the key file")
				}
			},
		},
		{
			name: "key file opens the tokens",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("SECRET_KEY", "")
				os.WriteFile(f.dbPath+".key", []byte(base64.StdEncoding.EncodeToString(otherMaster)+"\n"), 0o600)
				seedLinks(t, f.dbPath, otherMaster, 1)
			},
			want: []string{"✓ secret key: DIR/calbot.db.key present; it opens the stored tokens (1 linked chat)"},
		},
		{
			name: "key file readable by others and wrong",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("SECRET_KEY", "")
				os.WriteFile(f.dbPath+".key", []byte(testSecretKey), 0o644)
				os.Chmod(f.dbPath+".key", 0o644) // whatever the umask
				seedLinks(t, f.dbPath, otherMaster, 1)
			},
			want: []string{
				"! secret key: DIR/calbot.db.key can be read by other users (mode 0644). Fix: chmod 600 DIR/calbot.db.key",
				"✗ secret key: the key in DIR/calbot.db.key does not open the tokens in DIR/calbot.db (1 linked chat): …",
			},
			wantErr: "1 problem found",
		},
		{
			name: "SECRET_KEY differs from the key file, chats linked",
			setup: func(t *testing.T, f *doctorFixture) {
				os.WriteFile(f.dbPath+".key", []byte(base64.StdEncoding.EncodeToString(otherMaster)+"\n"), 0o600)
				seedLinks(t, f.dbPath, mustDecodeKey(t, testSecretKey), 1)
			},
			want: []string{
				"✗ secret key: SECRET_KEY and the key file DIR/calbot.db.key hold different keys, and DIR/calbot.db holds linked chats: calbot refuses to start. Fix: keep the one they were sealed with and remove the other (unset SECRET_KEY, or move DIR/calbot.db.key away)",
			},
			wantErr: "1 problem found",
		},
		{
			name: "SECRET_KEY differs from the key file, nothing linked",
			setup: func(t *testing.T, f *doctorFixture) {
				os.WriteFile(f.dbPath+".key", []byte(base64.StdEncoding.EncodeToString(otherMaster)+"\n"), 0o600)
			},
			want: []string{
				"! secret key: the key file DIR/calbot.db.key holds another key than SECRET_KEY; calbot uses SECRET_KEY and ignores the file while no chat is linked. Fix: move DIR/calbot.db.key away",
				"✓ secret key: SECRET_KEY set",
			},
		},
		{
			name:  "no key yet",
			setup: func(t *testing.T, f *doctorFixture) { f.set("SECRET_KEY", "") },
			want: []string{
				"✓ secret key: SECRET_KEY is not set; calbot will create DIR/calbot.db.key on first start. Back it up with the database",
			},
		},
		{
			name: "database directory missing",
			setup: func(t *testing.T, f *doctorFixture) {
				f.set("DB_PATH", filepath.Join(f.dir, "missing", "calbot.db"))
			},
			want: []string{
				"✗ database: the directory of DB_PATH (DIR/missing) does not exist. Fix: create it (mkdir -p DIR/missing) and let the user calbot runs as write to it",
				"– secret key: skipped: fix the database first",
			},
			wantErr: "1 problem found",
		},
		{
			name: "database directory not writable",
			setup: func(t *testing.T, f *doctorFixture) {
				if os.Geteuid() == 0 {
					t.Skip("root writes anywhere")
				}
				dir := filepath.Join(f.dir, "ro")
				os.Mkdir(dir, 0o500)
				f.set("DB_PATH", filepath.Join(dir, "calbot.db"))
			},
			want:    []string{"✗ database: DIR/ro/calbot.db cannot be created: permission denied. Fix: let the user calbot runs as write to the directory DIR/ro"},
			wantErr: "1 problem found",
		},
		{
			name: "database file not writable",
			setup: func(t *testing.T, f *doctorFixture) {
				if os.Geteuid() == 0 {
					t.Skip("root writes anywhere")
				}
				seedLinks(t, f.dbPath, mustDecodeKey(t, testSecretKey), 1)
				os.Chmod(f.dbPath, 0o400)
			},
			want:    []string{"✗ database: DIR/calbot.db is not writable: …"},
			wantErr: "1 problem found",
		},
		{
			name:    "DB_PATH is a directory",
			setup:   func(t *testing.T, f *doctorFixture) { f.set("DB_PATH", f.dir) },
			want:    []string{"✗ database: DB_PATH (DIR) is a directory. Fix: give a file path such as DIR/calbot.db"},
			wantErr: "1 problem found",
		},
		{
			name: "not a database",
			setup: func(t *testing.T, f *doctorFixture) {
				os.WriteFile(f.dbPath, []byte("these are not the bytes of a bbolt file, not at all"), 0o600)
			},
			want:    []string{"✗ database: DIR/calbot.db cannot be read: …Fix: restore it from a backup, or move it away to start over"},
			wantErr: "1 problem found",
		},
	})
}

func TestDoctorSignIn(t *testing.T) {
	tests := []struct {
		name, public string
		check        oauth.Check
		want         string
	}{
		{"domain over https", "https://calbot.example.org", oauth.CheckTelegram,
			`✓ sign-in: login_url buttons to calbot.example.org: Telegram must know that domain. Set it in @BotFather: /setdomain, pick the bot, send calbot.example.org. To check: send /connect and press the button; "Bot domain invalid" means it is not set`},
		{"https on a bare name", "https://calbot:8443", oauth.CheckTelegram,
			"! sign-in: Telegram's login_url buttons need an https PUBLIC_URL with a domain, so calbot shows a page naming the Telegram account instead. Fix: serve calbot over https on a domain, or set SIGNIN_CHECK=page to choose the page"},
		{"page chosen", "https://calbot.example.org", oauth.CheckPage,
			"✓ sign-in: SIGNIN_CHECK=page: /oauth/start shows a page naming the Telegram account before Google"},
		{"loopback", "http://127.0.0.1:8080", oauth.CheckTelegram,
			"✓ sign-in: local development over http: /oauth/start shows a page naming the Telegram account before Google (login_url buttons need https and a domain)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			d := &doctorRun{cfg: Config{PublicURL: tt.public, SigninCheck: tt.check}, out: &checkup{w: &buf}, broken: map[string]bool{}}
			d.signIn()
			if got := strings.TrimSpace(buf.String()); got != tt.want {
				t.Errorf("signIn() with %s, %s printed\n%s\nwant\n%s", tt.public, tt.check, got, tt.want)
			}
		})
	}
}
