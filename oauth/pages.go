package oauth

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
)

// page is one of the few pages a browser sees on its way back from Google.
type page int

const (
	pageConnected page = iota
	pageInvalid
	pageDenied
	pageMissingScope
	pageFailed
	pageMisconfigured
	pageOtherAccount
	pageOtherBrowser
	pageConfirm
	pageGrown
	pageGrowDenied
	pageGrowMissing
	pageGrowOtherAccount
)

type pageText struct{ Title, Body, Button string }

// pages is the catalogue of page texts, one per language. {{.Email}} in a
// body stands for the linked account, {{.Telegram}} for the Telegram
// account ("Alice (@alice)"), {{.Other}} for the account a Grow signed in
// with instead of the linked one. Button is the text of a form's button.
var pages = map[string]map[page]pageText{
	"en": {
		pageConnected:        {"Connected", "Your Google Calendar ({{.Email}}) is now linked to calbot for the Telegram account {{.Telegram}}. You can close this page and go back to Telegram.", ""},
		pageInvalid:          {"This sign-in link is no longer valid", "Sign-in links work once and for 10 minutes. Go back to Telegram and send /connect for a new one. Nothing was changed.", ""},
		pageDenied:           {"Calendar not connected", "You cancelled on Google's page, so nothing was linked. To try again, send /connect in Telegram.", ""},
		pageMissingScope:     {"Calendar access was not granted", "calbot needs permission to see and edit the events in your calendars. Send /connect in Telegram again and tick the Google Calendar box on Google's page. Nothing was stored.", ""},
		pageFailed:           {"Sign-in did not finish", "Something went wrong while talking to Google. Nothing was stored. Go back to Telegram and send /connect to try again.", ""},
		pageMisconfigured:    {"calbot is not set up correctly", "Google refused this bot's OAuth client. Please tell the bot's operator (they can run \"calbot doctor\"). Nothing was stored.", ""},
		pageOtherAccount:     {"This sign-in link is not yours", "This link belongs to another Telegram account, or was not opened from Telegram. A calendar linked through it would be used by someone else's chat. To link your own calendar, send /connect to the bot in your own Telegram chat and press the button there. Nothing was changed.", ""},
		pageOtherBrowser:     {"Finish in the browser you started in", "This sign-in was started in another browser, or this browser does not keep cookies. calbot finishes a sign-in only in the browser that opened the link from Telegram, so that a forwarded Google page cannot link your calendar to someone else. Go back to Telegram, open the sign-in link again and finish on Google's page in the browser that opens. Nothing was changed.", ""},
		pageConfirm:          {"Is this your Telegram account?", "You are linking your Google Calendar to the Telegram account {{.Telegram}}. Continue only if this is you: whoever uses that account will see, add and delete events in your calendar.", "Continue to Google"},
		pageGrown:            {"Permission added", "calbot may now do a little more with the Google Calendar of {{.Email}}, as it asked in Telegram. You can close this page and go back to Telegram.", ""},
		pageGrowDenied:       {"Nothing changed", "You cancelled on Google's page. Your calendar ({{.Email}}) stays connected as before, and what worked still works. You can close this page.", ""},
		pageGrowMissing:      {"Permission not added", "The new permission was not ticked on Google's page. Your calendar ({{.Email}}) stays connected as before, and what worked still works. To add it later, turn the feature on again in Telegram.", ""},
		pageGrowOtherAccount: {"Wrong Google account", "You signed in as {{.Other}}, but this chat is connected to {{.Email}}. Nothing was changed. To add the permission, go back to Telegram, open the link again and choose {{.Email}} on Google's page.", ""},
	},
	"ru": {
		pageConnected:        {"Календарь подключён", "Ваш Google Календарь ({{.Email}}) подключён к calbot для аккаунта Telegram {{.Telegram}}. Эту страницу можно закрыть и вернуться в Telegram.", ""},
		pageInvalid:          {"Ссылка для входа больше не действует", "Ссылка работает один раз и 10 минут. Вернитесь в Telegram и отправьте /connect, чтобы получить новую. Ничего не изменилось.", ""},
		pageDenied:           {"Календарь не подключён", "Вы отменили вход на странице Google, поэтому ничего не подключено. Чтобы попробовать снова, отправьте /connect в Telegram.", ""},
		pageMissingScope:     {"Доступ к календарю не выдан", "calbot нужен доступ к просмотру и изменению событий в ваших календарях. Отправьте /connect в Telegram ещё раз и поставьте галочку Google Календаря на странице Google. Ничего не сохранено.", ""},
		pageFailed:           {"Вход не завершён", "Что-то пошло не так при обращении к Google. Ничего не сохранено. Вернитесь в Telegram и отправьте /connect, чтобы попробовать снова.", ""},
		pageMisconfigured:    {"calbot настроен неправильно", "Google отклонил OAuth-клиент этого бота. Сообщите об этом владельцу бота (он может запустить «calbot doctor»). Ничего не сохранено.", ""},
		pageOtherAccount:     {"Эта ссылка для входа не ваша", "Ссылка принадлежит другому аккаунту Telegram или открыта не из Telegram. Календарь, подключённый по ней, попал бы в чужой чат. Чтобы подключить свой календарь, отправьте /connect боту в своём чате Telegram и нажмите кнопку там. Ничего не изменилось.", ""},
		pageOtherBrowser:     {"Завершите вход в том браузере, где начали", "Вход начат в другом браузере, или этот браузер не сохраняет cookie. calbot завершает вход только в том браузере, который открыл ссылку из Telegram, чтобы пересланная страница Google не подключила ваш календарь к чужому чату. Вернитесь в Telegram, снова откройте ссылку для входа и завершите вход на странице Google в открывшемся браузере. Ничего не изменилось.", ""},
		pageConfirm:          {"Это ваш аккаунт Telegram?", "Вы подключаете свой Google Календарь к аккаунту Telegram {{.Telegram}}. Продолжайте, только если это вы: владелец этого аккаунта сможет видеть, добавлять и удалять события в вашем календаре.", "Продолжить в Google"},
		pageGrown:            {"Разрешение добавлено", "Теперь calbot может немного больше в Google Календаре {{.Email}}, как он просил в Telegram. Эту страницу можно закрыть и вернуться в Telegram.", ""},
		pageGrowDenied:       {"Ничего не изменилось", "Вы отменили вход на странице Google. Ваш календарь ({{.Email}}) остаётся подключённым, всё, что работало, работает. Эту страницу можно закрыть.", ""},
		pageGrowMissing:      {"Разрешение не добавлено", "На странице Google не отмечено новое разрешение. Ваш календарь ({{.Email}}) остаётся подключённым, всё, что работало, работает. Чтобы добавить его позже, снова включите эту функцию в Telegram.", ""},
		pageGrowOtherAccount: {"Не тот аккаунт Google", "Вы вошли как {{.Other}}, а этот чат подключён к {{.Email}}. Ничего не изменилось. Чтобы добавить разрешение, вернитесь в Telegram, снова откройте ссылку и выберите {{.Email}} на странице Google.", ""},
	},
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · calbot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em;color:#222}h1{font-size:1.4em}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Body}}</p>
{{- with .Form}}
<form method="post" action="{{.Action}}"><input type="hidden" name="state" value="{{.State}}"><input type="hidden" name="confirm" value="{{.Confirm}}"><button type="submit">{{.Button}}</button></form>
{{end}}</body></html>
`))

// pageLang picks the page language: the one the chat used, else the
// browser's preference between English and Russian.
func pageLang(chatLang string, r *http.Request) string {
	if chatLang == "ru" || chatLang == "en" {
		return chatLang
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "ru") {
		return "ru"
	}
	return "en"
}

// pageData fills a page's placeholders.
type pageData struct {
	Email, Telegram, Other string
	// Form, for pageConfirm, is the Continue button's form; FormTarget is
	// the origin its POST redirects to, which the page's CSP must allow.
	Form       *confirmForm
	FormTarget string
}

type confirmForm struct{ Action, State, Confirm, Button string }

// renderPage writes page p in lang. It loads nothing from elsewhere, leaks no
// referrer and is not cached: the callback URL carries a code. Every piece
// of d is escaped.
func renderPage(w http.ResponseWriter, status int, lang string, p page, d pageData) {
	text, ok := pages[lang]
	if !ok {
		text = pages["en"]
	}
	t := text[p]
	body := strings.NewReplacer("{{.Email}}", d.Email, "{{.Telegram}}", d.Telegram, "{{.Other}}", d.Other).Replace(t.Body)
	formAction := "'none'"
	if d.Form != nil {
		d.Form.Button = t.Button
		// Chrome applies form-action to the redirect after the POST too.
		formAction = "'self' " + d.FormTarget
	}
	var buf bytes.Buffer
	pageTemplate.Execute(&buf, struct {
		Lang, Title, Body string
		Form              *confirmForm
	}{lang, t.Title, body, d.Form})
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action "+formAction+"; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
