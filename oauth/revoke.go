package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Revoke revokes a refresh or access token at Google. A token Google no
// longer knows (invalid_token) counts as revoked. x/oauth2 has no helper for
// this.
func (f *Flow) Revoke(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.cfg.RevokeURL, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("revoke grant: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.cfg.HTTPClient.Do(req)
	if err != nil {
		// The error names the URL, which carries no token: it is in the body.
		return fmt.Errorf("revoke grant: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error == "invalid_token" {
		return nil
	}
	return fmt.Errorf("revoke grant: google answered %s %s", resp.Status, e.Error)
}
