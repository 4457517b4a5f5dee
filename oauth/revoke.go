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

// revokeUnused revokes token, a grant of the Google account sub that chatID
// stopped using, unless a stored link still uses that account. Google
// revokes an account's whole grant to this client, every token of it, when
// any one token is revoked: revoking while another chat (or this chat,
// re-linked to the same account) uses the account would cut that link off.
// A grant whose account is unknown is kept for the same reason.
func (f *Flow) revokeUnused(ctx context.Context, chatID int64, sub, token string) Revocation {
	if sub == "" {
		f.log.Warn("grant of an unknown account not revoked", "chat_id", chatID)
		return KeptInUse
	}
	chats, err := f.db.LinkedChats(sub)
	if err != nil {
		f.log.Error("cannot tell whether another chat uses the account; not revoked", "chat_id", chatID, "err", err)
		return RevokeFailed
	}
	if len(chats) > 0 {
		f.log.Info("grant kept: the account is linked elsewhere", "chat_id", chatID, "links", len(chats))
		return KeptInUse
	}
	if err := f.Revoke(ctx, token); err != nil {
		f.log.Warn("revoke failed", "chat_id", chatID, "err", err)
		return RevokeFailed
	}
	return Revoked
}
