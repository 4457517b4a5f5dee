package sandbox

import "fmt"

// sandboxMsg names a text the sandbox itself shows. calbot's own replies
// come from the bot's catalogue, as in production; these are the frame
// around them: what a browser or Telegram's app would show, and help.
type sandboxMsg int

const (
	smWelcome sandboxMsg = iota
	smLogFile
	smLogHere
	smDBTemporary
	smDBKept
	smSignInHint
	smConsent
	smConsentChoices
	smBrowserShows
	smBrowserFailed
	smToast
	smAlert
	smNoAnswer
	smNoButtons
	smNoSuchButton
	smOpensURL
	smEdited
	smDeleted
	smBye
	smByeKept
	numSandboxMsgs
)

var sandboxCatalog = map[string][numSandboxMsgs]string{
	"en": {
		smWelcome: "calbot sandbox: the real calbot, talking to stand-ins for Telegram and Google on this machine.\n" +
			"No bot token, no Google account; nothing leaves 127.0.0.1.\n\n" +
			"You are in a private chat with @%s, in English (-lang ru for Russian).\n" +
			"The stand-in Google account is %s. Its calendar, in %s, has a few sample events.\n\n" +
			"Type a message and press Enter to send it. Try, in order:\n" +
			"  /connect                    then 1 to tap the button: the sandbox plays the browser\n" +
			"  /today\n" +
			"  /add Lunch tomorrow 13:00   then 1 to tap Undo\n" +
			"  /disconnect\n" +
			"  /quit                       to leave (Ctrl-D and Ctrl-C work too)\n" +
			"A number taps that button of the latest message with buttons.",
		smLogFile:        "calbot's log: %s (run with -v to see it here)",
		smLogHere:        "calbot's log: here, on standard error (-v)",
		smDBTemporary:    "Database: a temporary one, deleted at exit (-db FILE keeps it).",
		smDBKept:         "Database: %s, kept after exit. The stand-in Google forgets everything at exit, so a chat linked in an earlier run hears that its access was revoked.",
		smSignInHint:     "(type 1 and the sandbox opens the link for you, or open it in a browser)",
		smConsent:        "Google (sandbox) asks: allow calbot to see and edit events in %s's calendars?\n[A]llow / [D]eny / [U]ntick calendar",
		smConsentChoices: "Type A to allow, D to deny, or U to allow sign-in but untick the calendar.",
		smBrowserShows:   "browser: %s",
		smBrowserFailed:  "browser: the page did not open: %v",
		smToast:          "Telegram shows: %s",
		smAlert:          "Telegram shows an alert: %s",
		smNoAnswer:       "Telegram shows a spinner: calbot did not answer the button.",
		smNoButtons:      "No message in the chat has buttons. Type a message, or /quit.",
		smNoSuchButton:   "There is no button %d: the latest message with buttons has %d.",
		smOpensURL:       "Telegram would open %s",
		smEdited:         "calbot edited a message:",
		smDeleted:        "calbot deleted a message.",
		smBye:            "Bye. The sandbox has stopped and deleted its temporary files.",
		smByeKept:        "Bye. The sandbox has stopped; calbot's database stays in %s.",
	},
	"ru": {
		smWelcome: "Песочница calbot: настоящий calbot, который говорит с заменителями Telegram и Google на этом компьютере.\n" +
			"Не нужны ни токен бота, ни аккаунт Google; ничто не уходит дальше 127.0.0.1.\n\n" +
			"Вы в личном чате с @%s, по-русски (-lang en для английского).\n" +
			"Заменитель аккаунта Google: %s. В его календаре (%s) есть несколько событий для примера.\n\n" +
			"Напишите сообщение и нажмите Enter, чтобы отправить его. Попробуйте по порядку:\n" +
			"  /connect                    потом 1, чтобы нажать кнопку: песочница сыграет роль браузера\n" +
			"  /today\n" +
			"  /add Обед завтра 13:00      потом 1, чтобы нажать «Отменить»\n" +
			"  /disconnect\n" +
			"  /quit                       чтобы выйти (Ctrl-D и Ctrl-C тоже работают)\n" +
			"Число нажимает кнопку с этим номером в последнем сообщении с кнопками.",
		smLogFile:        "Журнал calbot: %s (с -v он будет здесь)",
		smLogHere:        "Журнал calbot: здесь, в стандартном потоке ошибок (-v)",
		smDBTemporary:    "База данных: временная, удаляется при выходе (-db ФАЙЛ сохранит её).",
		smDBKept:         "База данных: %s, сохраняется после выхода. Заменитель Google при выходе всё забывает, поэтому чат, подключённый в прошлый раз, услышит, что доступ отозван.",
		smSignInHint:     "(напишите 1, и песочница откроет ссылку сама, или откройте её в браузере)",
		smConsent:        "Google (песочница) спрашивает: разрешить calbot просматривать и изменять события в календарях %s?\n[Р]азрешить / [О]тклонить / [С]нять галочку календаря",
		smConsentChoices: "Напишите Р, чтобы разрешить, О, чтобы отклонить, или С, чтобы разрешить вход, но снять галочку календаря.",
		smBrowserShows:   "браузер: %s",
		smBrowserFailed:  "браузер: страница не открылась: %v",
		smToast:          "Telegram показывает: %s",
		smAlert:          "Telegram показывает предупреждение: %s",
		smNoAnswer:       "Telegram крутит индикатор: calbot не ответил на кнопку.",
		smNoButtons:      "Ни в одном сообщении чата нет кнопок. Напишите сообщение или /quit.",
		smNoSuchButton:   "Кнопки %d нет: в последнем сообщении с кнопками их %d.",
		smOpensURL:       "Telegram открыл бы %s",
		smEdited:         "calbot изменил сообщение:",
		smDeleted:        "calbot удалил сообщение.",
		smBye:            "Пока. Песочница остановлена, её временные файлы удалены.",
		smByeKept:        "Пока. Песочница остановлена; база данных calbot осталась в %s.",
	},
}

// sandboxText returns text m in lang, with args filled in.
func sandboxText(lang string, m sandboxMsg, args ...any) string {
	t, ok := sandboxCatalog[lang]
	if !ok {
		t = sandboxCatalog["en"]
	}
	if len(args) == 0 {
		return t[m]
	}
	return fmt.Sprintf(t[m], args...)
}
