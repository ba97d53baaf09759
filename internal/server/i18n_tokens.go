package server

// Texts of the API-token page and the role form on the accounts page.
func init() {
	for k, m := range map[string]message{
		"staff.nav.tokens":    {"API-nycklar", "API keys"},
		"staff.title_tokens":  {"API-nycklar", "API keys"},
		"stok.heading":        {"API-nycklar", "API keys"},
		"stok.lead":           {"Med en API-nyckel kan ett skript använda portalens API i ditt namn (%s). Portalen sparar bara en kontrollsumma av nyckeln: den visas en enda gång, när du skapar den.", "With an API key a script can use the portal's API in your name (%s). The portal keeps only a checksum of the key: it is shown once, when you create it."},
		"stok.bearer":         {"Authorization: Bearer <nyckel>", "Authorization: Bearer <key>"},
		"stok.lead_admin":     {"Som administratör ser och återkallar du allas nycklar.", "As an administrator you see and revoke everyone's keys."},
		"stok.new_heading":    {"Ny API-nyckel ”%s”", "New API key “%s”"},
		"stok.new_note":       {"Kopiera nyckeln nu och spara den säkert. Den visas inte igen; tappar du bort den, återkalla den och skapa en ny.", "Copy the key now and keep it safe. It will not be shown again; if you lose it, revoke it and create a new one."},
		"stok.copy_label":     {"Nyckel att kopiera", "Key to copy"},
		"stok.create_heading": {"Skapa en API-nyckel", "Create an API key"},
		"stok.name_label":     {"Vad nyckeln är till för", "What the key is for"},
		"stok.create":         {"Skapa nyckel", "Create key"},
		"stok.region":         {"API-nycklar", "API keys"},
		"stok.caption_all":    {"Alla API-nycklar (%d)", "All API keys (%d)"},
		"stok.caption_own":    {"Dina API-nycklar (%d)", "Your API keys (%d)"},
		"stok.col_name":       {"Namn", "Name"},
		"stok.col_owner":      {"Ägare", "Owner"},
		"stok.col_ref":        {"Referens", "Reference"},
		"stok.col_created":    {"Skapad", "Created"},
		"stok.col_used":       {"Senast använd", "Last used"},
		"stok.col_action":     {"Åtgärd", "Action"},
		"stok.never":          {"Aldrig", "Never"},
		"stok.revoke":         {"Återkalla", "Revoke"},
		"stok.revoke_for":     {"nyckeln ”%s” för %s", "the key “%s” of %s"},
		"stok.none_all":       {"Inga API-nycklar.", "No API keys."},
		"stok.none_own":       {"Du har inga API-nycklar.", "You have no API keys."},
		"stok.name_error":     {"Skriv vad nyckeln är till för, till exempel ”uppladdningsskript” (högst %d tecken).", "Say what the key is for, for example “upload script” (at most %d characters)."},
		"flash.token_revoked": {"API-nyckeln ”%s” är återkallad och fungerar inte längre.", "The API key “%s” is revoked and no longer works."},

		"sacct.role_label":  {"Roll", "Role"},
		"sacct.change_role": {"Byt roll", "Change role"},
		"flash.role_changed": {"%s har nu rollen %s. Kontots inloggningar avslutades, så den nya rollen gäller från nästa inloggning.",
			"%s now has the role %s. The account's sessions were ended, so the new role applies from the next login."},
	} {
		messages[k] = m
	}
}

// English for the errors of the token page and the role form.
func init() {
	for code, en := range map[string]string{
		"bad_role":   "Choose the role Member, Editor or Administrator.",
		"same_role":  "The account already has that role.",
		"last_admin": "The portal needs at least one active administrator: first give someone else the role Administrator.",
		"ambiguous":  "The reference matches several keys.",
		"bad_ref":    "Invalid reference to an API key.",
	} {
		englishErrors[code] = en
	}
	for sv, en := range map[string]string{
		"Välj rollen Medlem, Redaktion eller Administratör.":                                        "Choose the role Member, Editor or Administrator.",
		"Portalen behöver minst en aktiv administratör: ge först någon annan rollen Administratör.": "The portal needs at least one active administrator: first give someone else the role Administrator.",
		"Referensen passar flera nycklar.":                                                          "The reference matches several keys.",
		"Ogiltig referens till en API-nyckel.":                                                      "Invalid reference to an API key.",
	} {
		englishTexts[sv] = en
	}
}
