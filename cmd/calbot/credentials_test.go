package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		content    string // "" means no file
		wantID     string
		wantSecret string
		wantErr    string // "" means success
	}{
		{"web client", webCredentials, "123-web.apps.googleusercontent.com", "GOCSPX-web", ""},
		{"installed client", installedCredentials, "123-desktop.apps.googleusercontent.com", "GOCSPX-desktop", ""},
		{"values with white space",
			`{"web":{"client_id":" 123-web.apps.googleusercontent.com\n","client_secret":"GOCSPX-web \n"}}`,
			"123-web.apps.googleusercontent.com", "GOCSPX-web", ""},
		{"not json", "client_id=123\nclient_secret=GOCSPX-web\n", "", "", "is not the JSON file Cloud Console gives"},
		{"json array", `[{"web":{}}]`, "", "", "is not the JSON file Cloud Console gives"},
		{"service account key", `{"type":"service_account","project_id":"p","private_key_id":"k"}`, "", "", "is a service account key"},
		{"neither web nor installed", `{"other":{"client_id":"123-x.apps.googleusercontent.com"}}`, "", "", `has no "web" client`},
		{"null web", `{"web":null}`, "", "", `has no "web" client`},
		{"missing file", "", "", "", "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "client_secret.json")
			if tt.content != "" {
				path = writeFile(t, "client_secret.json", tt.content)
			}
			id, secret, _, _, err := readCredentials(path)
			if tt.wantErr == "" {
				if err != nil || id != tt.wantID || secret != tt.wantSecret {
					t.Errorf("readCredentials(%q) = %q, %q, %v; want %q, %q, nil", path, id, secret, err, tt.wantID, tt.wantSecret)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("readCredentials(%q) = %q, %q, %v; want an error naming the file and containing %q", path, id, secret, err, tt.wantErr)
			}
			if tt.content == "" && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("readCredentials(%q) error = %v, want one that is fs.ErrNotExist", path, err)
			}
		})
	}
}

func TestValidateCredentialsFile(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "client_secret.json", webCredentials)
	e := validEnv()
	e.GoogleClientID, e.GoogleClientSecret, e.GoogleCredentialsFile = "", "", " "+path+"\n"
	got, err := e.validate()
	if err != nil {
		t.Fatalf("validate(%+v) error: %v", e, err)
	}
	want := validConfig()
	want.GoogleClientID, want.GoogleClientSecret, want.GoogleCredentialsFile = "123-web.apps.googleusercontent.com", "GOCSPX-web", path
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(config{})); diff != "" {
		t.Errorf("validate(%+v) mismatch (-want +got):\n%s", e, diff)
	}
}

// TestValidateWarnsOfMissingRedirectURI: a web client's JSON that does not
// list calbot's redirect URI is worth a warning, not a refusal: it may have
// been added in Cloud Console after the download.
func TestValidateWarnsOfMissingRedirectURI(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "client_secret.json", webCredentials)
	tests := []struct {
		name, publicURL string
		wantWarning     bool
	}{
		{"listed", validPublic, false},
		{"listed, with a trailing slash", validPublic + "/", false},
		{"not listed", "https://other.example.org", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			e.GoogleClientID, e.GoogleClientSecret, e.GoogleCredentialsFile, e.PublicURL = "", "", path, tt.publicURL
			got, err := e.validate()
			if err != nil {
				t.Fatalf("validate(%q) error: %v", tt.publicURL, err)
			}
			warned := len(got.Warnings) == 1 && strings.Contains(got.Warnings[0], "lists no redirect URI "+tt.publicURL+"/oauth/callback")
			if warned != tt.wantWarning || !tt.wantWarning && len(got.Warnings) != 0 {
				t.Errorf("validate(%q) warnings = %q, want a warning about the redirect URI: %v", tt.publicURL, got.Warnings, tt.wantWarning)
			}
		})
	}
}

func TestValidateRefusesDesktopClientForPublicHost(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "client_secret.json", installedCredentials)
	tests := []struct {
		name, publicURL string
		wantErr         bool
	}{
		{"public host", "https://calbot.example.com", true},
		{"localhost", "http://localhost:8080", false},
		{"loopback address", "http://127.0.0.1:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			e.GoogleClientID, e.GoogleClientSecret, e.GoogleCredentialsFile, e.PublicURL = "", "", path, tt.publicURL
			_, err := e.validate()
			if tt.wantErr != (err != nil) || err != nil && !strings.Contains(err.Error(), "Web application client") {
				t.Errorf("validate(%q with a Desktop client) = %v, want error %v", tt.publicURL, err, tt.wantErr)
			}
		})
	}
}

func TestValidateCredentialsFileChecksItsClient(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "client_secret.json", `{"web":{"client_id":"my-project","client_secret":"GOCSPX-web"}}`)
	e := validEnv()
	e.GoogleClientID, e.GoogleClientSecret, e.GoogleCredentialsFile = "", "", path
	_, err := e.validate()
	if err == nil {
		t.Fatalf("validate(%+v) = nil error, want a GOOGLE_CLIENT_ID problem", e)
	}
	if ps := problems(t, err); len(ps) != 1 || !strings.Contains(ps[0], "GOOGLE_CLIENT_ID should end in") {
		t.Errorf("validate(%+v) problems = %q, want one about GOOGLE_CLIENT_ID", e, ps)
	}
}

// TestCredentialsPath: under systemd, GOOGLE_CREDENTIALS_FILE names the
// credential that LoadCredential= handed over; elsewhere a path is a path.
func TestCredentialsPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, dir, want string
	}{
		{"credential under systemd", "client_secret.json", "/run/credentials/calbot.service", "/run/credentials/calbot.service/client_secret.json"},
		{"absolute path under systemd", "/etc/calbot/client_secret.json", "/run/credentials/calbot.service", "/etc/calbot/client_secret.json"},
		{"relative path under systemd", "./client_secret.json", "/run/credentials/calbot.service", "./client_secret.json"},
		{"bare name without systemd", "client_secret.json", "", "client_secret.json"},
		{"unset", "", "/run/credentials/calbot.service", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := credentialsPath(tt.file, tt.dir); got != tt.want {
				t.Errorf("credentialsPath(%q, %q) = %q, want %q", tt.file, tt.dir, got, tt.want)
			}
		})
	}
}

// TestLoadConfigReadsSystemdCredential: with LoadCredential=, the client
// comes from $CREDENTIALS_DIRECTORY.
func TestLoadConfigReadsSystemdCredential(t *testing.T) {
	clearEnv(t)
	setRequired(t)
	unsetenv(t, "GOOGLE_CLIENT_ID")
	unsetenv(t, "GOOGLE_CLIENT_SECRET")
	path := writeFile(t, "client_secret.json", webCredentials)
	t.Setenv("CREDENTIALS_DIRECTORY", filepath.Dir(path))
	t.Setenv("GOOGLE_CREDENTIALS_FILE", "client_secret.json")
	got, err := loadConfig()
	if err != nil || got.GoogleClientID != "123-web.apps.googleusercontent.com" || got.GoogleCredentialsFile != path {
		t.Errorf("loadConfig() = client %q from %q, %v; want the client from %s", got.GoogleClientID, got.GoogleCredentialsFile, err, path)
	}
}
