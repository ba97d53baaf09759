package server

// Texts of the account pages (login throttling, the own account page,
// invite and reset links, forgotten password). Apart from i18n.go so the
// two can change independently.
func init() {
	pageNames = append(pageNames, "account", "set_password", "forgot", "staff_accounts")
	for k, m := range map[string]message{
		"nav.account":         {"Mitt konto", "My account"},
		"login.forgot":        {"Glömt lösenordet?", "Forgot your password?"},
		"login.throttled":     {"För många misslyckade inloggningar. Vänta %s och försök igen.", "Too many failed logins. Wait %s and try again."},
		"login.wait_seconds":  {"%d sekunder", "%d seconds"},
		"login.wait_minutes":  {"%d minuter", "%d minutes"},
		"acct.title":          {"Mitt konto", "My account"},
		"acct.heading":        {"Mitt konto", "My account"},
		"acct.email":          {"E-post", "Email"},
		"acct.municipality":   {"Kommun", "Municipality"},
		"acct.change_heading": {"Byt lösenord", "Change password"},
		"acct.change_note":    {"När du byter lösenord loggas du ut på alla andra enheter.", "Changing your password logs you out on every other device."},
		"acct.current":        {"Nuvarande lösenord", "Current password"},
		"acct.new":            {"Nytt lösenord", "New password"},
		"acct.repeat":         {"Upprepa det nya lösenordet", "Repeat the new password"},
		"acct.pw_hint":        {"Minst 10 tecken. En lång fras är lätt att minnas och svår att gissa.", "At least 10 characters. A long phrase is easy to remember and hard to guess."},
		"acct.change_submit":  {"Byt lösenord", "Change password"},
		"acct.everywhere":     {"Logga ut överallt", "Log out everywhere"},
		"acct.everywhere_text": {"Avslutar alla dina inloggningar, på andra datorer och telefoner och här.",
			"Ends all your logins, on other computers and phones and here."},
		"acct.err_short":              {"Lösenordet måste ha minst 10 tecken.", "The password must have at least 10 characters."},
		"acct.err_long":               {"Lösenordet får ha högst 1000 tecken.", "The password may have at most 1000 characters."},
		"acct.err_mismatch":           {"Lösenorden är inte lika. Skriv samma lösenord två gånger.", "The passwords differ. Type the same password twice."},
		"acct.err_current":            {"Det nuvarande lösenordet stämmer inte.", "The current password is not right."},
		"acct.err_throttled":          {"För många försök. Vänta en stund och försök igen.", "Too many attempts. Wait a while and try again."},
		"flash.password_changed":      {"Lösenordet är bytt. Du är utloggad på alla andra enheter.", "Your password is changed. You are logged out on every other device."},
		"flash.logged_out_everywhere": {"Du är utloggad överallt.", "You are logged out everywhere."},
		"flash.password_set_invite":   {"Välkommen! Ditt lösenord är sparat och du är inloggad.", "Welcome! Your password is saved and you are logged in."},
		"flash.password_set_reset":    {"Ditt nya lösenord är sparat och du är inloggad.", "Your new password is saved and you are logged in."},
		"setpw.title_invite":          {"Välkommen – välj ett lösenord", "Welcome – choose a password"},
		"setpw.title_reset":           {"Välj ett nytt lösenord", "Choose a new password"},
		"setpw.lead_invite":           {"Du är inbjuden till SmåKoms webbinariearkiv. Välj ett lösenord för kontot nedan, så loggas du in.", "You are invited to SmåKom’s webinar archive. Choose a password for the account below and you will be logged in."},
		"setpw.lead_reset":            {"Välj ett nytt lösenord för kontot nedan. Alla andra inloggningar på kontot avslutas.", "Choose a new password for the account below. All other logins of the account end."},
		"setpw.account":               {"Konto", "Account"},
		"setpw.submit_invite":         {"Spara och logga in", "Save and log in"},
		"setpw.submit_reset":          {"Spara nytt lösenord", "Save new password"},
		"forgot.title":                {"Glömt lösenordet", "Forgotten password"},
		"forgot.heading":              {"Glömt lösenordet", "Forgotten password"},
		"forgot.lead":                 {"Skriv e-postadressen du loggar in med, så mejlar vi en länk där du väljer ett nytt lösenord.", "Type the email address you log in with and we will mail you a link to choose a new password."},
		"forgot.email":                {"E-post", "Email"},
		"forgot.submit":               {"Skicka länk", "Send link"},
		"forgot.sent":                 {"Om adressen har ett konto hos oss har vi skickat en länk dit. Länken gäller en begränsad tid och fungerar en gång. Hittar du inget mejl, titta i skräpposten.", "If the address has an account with us, we have sent a link to it. The link works once, for a limited time. If you find no mail, look in your spam folder."},
		"forgot.no_mail":              {"Kontakta SmåKoms redaktion, så får du en länk där du väljer ett nytt lösenord.", "Contact SmåKom’s editors and you will get a link to choose a new password."},
		"forgot.back":                 {"Tillbaka till inloggningen", "Back to logging in"},
		"error.link_gone":             {"Länken gäller inte längre", "The link no longer works"},
	} {
		messages[k] = m
	}
	englishErrors["link_expired"] = "The link has expired. Ask SmåKom’s editors for a new one, or request one on the “Forgot your password?” page."
	englishErrors["link_used"] = "The link has been used already and works only once. Log in, or request a new link on the “Forgot your password?” page."
	englishErrors["link_unknown"] = "The link is not valid. Check that you copied the whole address from the mail."
}
