package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/smakom/webinar-portal/internal/wish"
)

// Texts of the staff pages (list, edit, delete, chapters, caption editor,
// wishes, accounts, change log), their flash messages and the upload and
// caption-editor scripts. Apart from i18n.go so the two can change
// independently. Keys starting with "upload." and "ce." are handed to the
// scripts as JSON (see Base.JSTexts); {name} in them is filled in by the
// script.
func init() {
	for k, m := range map[string]message{
		// Layout and shared
		"footer.tagline":       {"SmåKoms webbinariearkiv – inspelningar med undertexter och presentationer.", "SmåKom webinar archive – recordings with subtitles and slides."},
		"staff.nav.wishes":     {"Önskemål (%d nya)", "Suggestions (%d new)"},
		"staff.nav.accounts":   {"Konton", "Accounts"},
		"staff.back_list":      {"Tillbaka till webbinarierna", "Back to the webinars"},
		"staff.back_to":        {"Tillbaka till ”%s”", "Back to “%s”"},
		"staff.view_webinar":   {"Visa webbinariet", "View the webinar"},
		"staff.kind_captions":  {"textning", "captions"},
		"staff.kind_subtitles": {"undertexter", "subtitles"},
		"staff.title_list":     {"Redaktion", "Editorial"},
		"staff.title_edit":     {"Redigera %s", "Edit %s"},
		"staff.title_delete":   {"Ta bort %s", "Delete %s"},
		"staff.title_chapters": {"Kapitel: %s", "Chapters: %s"},
		"staff.title_captions": {"Undertexter %s: %s", "Subtitles %s: %s"},
		"staff.title_wishes":   {"Önskemål", "Suggestions"},
		"staff.title_audit":    {"Ändringslogg", "Change log"},
		"staff.title_accounts": {"Konton", "Accounts"},

		// The list of webinars
		"slist.heading":        {"Redaktion: webbinarier", "Editorial: webinars"},
		"slist.new":            {"Nytt webbinarium", "New webinar"},
		"slist.audit":          {"Ändringslogg", "Change log"},
		"slist.audit_note":     {": vem ändrade vad och när.", ": who changed what, and when."},
		"slist.region":         {"Alla webbinarier", "All webinars"},
		"slist.caption":        {"Alla webbinarier, även utkast (%d)", "All webinars, drafts included (%d)"},
		"slist.col_title":      {"Titel", "Title"},
		"slist.col_date":       {"Datum", "Date"},
		"slist.col_visibility": {"Synlighet", "Visibility"},
		"slist.col_recording":  {"Inspelning", "Recording"},
		"slist.col_subtitles":  {"Undertexter", "Subtitles"},
		"slist.col_actions":    {"Åtgärder", "Actions"},
		"slist.missing":        {"Saknas", "Missing"},
		"slist.none":           {"Inga", "None"},
		"slist.view":           {"Visa", "View"},
		"slist.edit":           {"Redigera", "Edit"},
		"slist.empty":          {"Inga webbinarier ännu.", "No webinars yet."},
		"slist.create_first":   {"Skapa det första.", "Create the first one."},

		// The edit page
		"sedit.new":                {"Nytt webbinarium", "New webinar"},
		"sedit.heading":            {"Redigera ”%s”", "Edit “%s”"},
		"sedit.chapters":           {"Kapitel (%d)", "Chapters (%d)"},
		"sedit.visibility_now":     {"Synlighet:", "Visibility:"},
		"sedit.title":              {"Titel", "Title"},
		"sedit.summary":            {"Sammanfattning", "Summary"},
		"sedit.description":        {"Beskrivning", "Description"},
		"sedit.speakers":           {"Talare", "Speakers"},
		"sedit.speaker_name":       {"Namn", "Name"},
		"sedit.speaker_role":       {"Roll", "Role"},
		"sedit.speaker_org":        {"Organisation", "Organisation"},
		"sedit.speakers_hint":      {"Tomma rader sparas inte. Spara för att få fler tomma rader.", "Empty rows are not saved. Save to get more empty rows."},
		"sedit.organiser":          {"Arrangör", "Organiser"},
		"sedit.topics":             {"Ämnen", "Topics"},
		"sedit.topics_hint":        {"Separera med kommatecken.", "Separate them with commas."},
		"sedit.date":               {"Datum", "Date"},
		"sedit.language":           {"Språk (ISO 639-1)", "Language (ISO 639-1)"},
		"sedit.visibility":         {"Synlighet", "Visibility"},
		"sedit.create":             {"Skapa", "Create"},
		"sedit.save":               {"Spara ändringar", "Save changes"},
		"sedit.publishing":         {"Publicering", "Publishing"},
		"sedit.publish":            {"Publicera för alla", "Publish for everyone"},
		"sedit.unpublish":          {"Avpublicera (gör till utkast)", "Unpublish (make it a draft)"},
		"sedit.recording":          {"Inspelning", "Recording"},
		"sedit.current":            {"Nuvarande:", "Current:"},
		"sedit.no_recording":       {"Ingen inspelning uppladdad.", "No recording uploaded."},
		"sedit.length":             {"Längd", "Length"},
		"sedit.length_unknown":     {"okänd (filen anger den inte)", "unknown (the file does not say)"},
		"sedit.resolution":         {"Upplösning", "Resolution"},
		"sedit.pixels":             {"%d × %d pixlar", "%d × %d pixels"},
		"sedit.video":              {"Video", "Video"},
		"sedit.audio":              {"Ljud", "Audio"},
		"sedit.no_audio":           {"inget ljudspår", "no audio track"},
		"sedit.streaming":          {"Strömning", "Streaming"},
		"sedit.faststart_yes":      {"optimerad: uppspelningen kan börja direkt", "optimised: playback can start at once"},
		"sedit.faststart_no":       {"inte optimerad", "not optimised"},
		"sedit.faststart_note":     {"Filen är inte optimerad för strömning: dess index (moov) ligger i slutet av filen, så webbläsaren måste hämta hela filen innan uppspelningen kan börja.", "The file is not optimised for streaming: its index (moov) is at the end of the file, so the browser must fetch the whole file before playback can start."},
		"sedit.faststart_fix":      {"Om ffmpeg installeras på servern (till exempel", "If ffmpeg is installed on the server (for example"},
		"sedit.faststart_fix_end":  {") rättar portalen det själv: ladda då upp filen igen.", ") the portal fixes this itself: then upload the file again."},
		"sedit.recording_file":     {"Videofil (MP4 eller WebM, högst %s)", "Video file (MP4 or WebM, at most %s)"},
		"sedit.upload_recording":   {"Ladda upp inspelning", "Upload recording"},
		"sedit.progress_recording": {"Uppladdning av inspelning", "Upload of the recording"},
		"sedit.resumable_hint":     {"Stora filer laddas upp i delar: bryts anslutningen fortsätter uppladdningen där den slutade, även efter att du laddat om sidan och valt samma fil igen.", "Large files are uploaded in parts: if the connection breaks, the upload goes on where it stopped, even after you reload the page and choose the same file again."},
		"sedit.slides":             {"Presentationer", "Slides"},
		"sedit.remove":             {"Ta bort", "Remove"},
		"sedit.no_slides":          {"Inga presentationer.", "No slides."},
		"sedit.slides_file":        {"PDF eller PPTX (högst %s)", "PDF or PPTX (at most %s)"},
		"sedit.upload_slides":      {"Ladda upp presentation", "Upload slides"},
		"sedit.progress_slides":    {"Uppladdning av presentation", "Upload of the slides"},
		"sedit.subtitles":          {"Undertexter", "Subtitles"},
		"sedit.cue_lines":          {"%d rader", "%d cues"},
		"sedit.edit_track":         {"Redigera %s", "Edit %s"},
		"sedit.edit":               {"Redigera", "Edit"},
		"sedit.no_subtitles":       {"Inga undertexter. Svenska myndigheter och kommuner ska texta inspelad video.", "No subtitles. Swedish public authorities and municipalities must caption recorded video."},
		"sedit.sub_lang":           {"Språkkod", "Language code"},
		"sedit.sub_kind":           {"Typ", "Type"},
		"sedit.sub_kind_subtitles": {"Undertexter", "Subtitles"},
		"sedit.sub_kind_captions":  {"Textning för hörselskadade", "Captions for the deaf and hard of hearing"},
		"sedit.sub_label":          {"Etikett (valfri)", "Label (optional)"},
		"sedit.sub_file":           {"Fil (SRT, WebVTT, SSA/ASS, EBU STL eller TTML)", "File (SRT, WebVTT, SSA/ASS, EBU STL or TTML)"},
		"sedit.upload_subtitles":   {"Ladda upp undertexter", "Upload subtitles"},
		"sedit.progress_subtitles": {"Uppladdning av undertexter", "Upload of the subtitles"},
		"sedit.poster":             {"Affischbild", "Poster image"},
		"sedit.poster_alt":         {"Nuvarande affischbild", "Current poster image"},
		"sedit.poster_file":        {"JPEG eller PNG", "JPEG or PNG"},
		"sedit.upload_poster":      {"Ladda upp bild", "Upload image"},
		"sedit.progress_poster":    {"Uppladdning av bild", "Upload of the image"},
		"sedit.delete_heading":     {"Ta bort", "Delete"},
		"sedit.delete":             {"Ta bort webbinariet…", "Delete the webinar…"},

		// The delete page
		"sdel.heading":     {"Ta bort ”%s”?", "Delete “%s”?"},
		"sdel.text_start":  {"Webbinariet tas bort för alltid, tillsammans med inspelningen", "The webinar is deleted for good, together with the recording"},
		"sdel.text_slides": {", %d presentation(er)", ", %d slide deck(s)"},
		"sdel.text_end":    {" och alla undertexter. Det går inte att ångra.", " and all subtitles. This cannot be undone."},
		"sdel.confirm":     {"Ja, ta bort webbinariet", "Yes, delete the webinar"},
		"sdel.cancel":      {"Avbryt", "Cancel"},

		// The chapter editor
		"schap.heading":           {"Kapitel: ”%s”", "Chapters: “%s”"},
		"schap.intro":             {"Kapitlen visas som en lista med länkar på webbinariets sida och som ett kapitelspår i spelaren.", "The chapters are shown as a list of links on the webinar’s page and as a chapter track in the player."},
		"schap.format":            {"Skriv starttiden som", "Write the start time as"},
		"schap.format_end":        {"eller i sekunder, i tidsordning.", "or in seconds, in time order."},
		"schap.length":            {"Inspelningen är", "The recording is"},
		"schap.length_end":        {" lång.", " long."},
		"schap.length_unknown":    {"Inspelningens längd är inte känd, så tiderna kan inte kontrolleras mot den.", "The recording’s length is not known, so the times cannot be checked against it."},
		"schap.slide_hint":        {"Bild: numret på sidan i presentationen (PDF) som visas från kapitlets start. Då länkar ”Bild 7” på webbinariets sida till rätt ställe i inspelningen. Lämna tomt om inget hör ihop.", "Slide: the number of the page in the slides (PDF) shown from the chapter’s start. “Slide 7” on the webinar’s page then links to the right place in the recording. Leave it empty if nothing belongs together."},
		"schap.save":              {"Spara kapitel", "Save chapters"},
		"schap.chapter_n":         {"Kapitel %d", "Chapter %d"},
		"schap.chapter_n_lower":   {"kapitel %d", "chapter %d"},
		"schap.start":             {"Start", "Start"},
		"schap.title":             {"Rubrik", "Title"},
		"schap.slide":             {"Bild (valfri)", "Slide (optional)"},
		"schap.slide_short":       {"Bild", "Slide"},
		"schap.up":                {"Flytta upp", "Move up"},
		"schap.down":              {"Flytta ned", "Move down"},
		"schap.remove":            {"Ta bort", "Remove"},
		"schap.add":               {"Lägg till rad", "Add a row"},
		"schap.save_hint":         {"Tomma rader sparas inte. Inget sparas förrän du väljer Spara kapitel.", "Empty rows are not saved. Nothing is saved until you choose Save chapters."},
		"schap.conflict":          {"Någon annan har ändrat webbinariet sedan du öppnade sidan. Dina rader står kvar nedan; kontrollera dem och spara igen för att ersätta de sparade kapitlen.", "Someone else has changed the webinar since you opened the page. Your rows are still below; check them and save again to replace the saved chapters."},
		"schap.saved_now":         {"Sparade kapitel just nu: %s", "Chapters saved right now: %s"},
		"schap.none_saved":        {"inga.", "none."},
		"schap.row_added":         {"Rad %d är tillagd.", "Row %d is added."},
		"schap.row_removed":       {"Rad %d är borttagen.", "Row %d is removed."},
		"schap.row_moved":         {"Raden är flyttad till plats %d.", "The row is moved to place %d."},
		"schap.unsaved":           {"Ändringarna sparas när du väljer Spara kapitel.", "The changes are saved when you choose Save chapters."},
		"schap.row_error":         {"Rad %d, %s: %s", "Row %d, %s: %s"},
		"schap.field_start":       {"start", "start"},
		"schap.field_title":       {"rubrik", "title"},
		"schap.field_slide":       {"bild", "slide"},
		"flash.chapters_removed":  {"Kapitlen är borttagna.", "The chapters are removed."},
		"flash.chapters_one":      {"1 kapitel är sparat.", "1 chapter is saved."},
		"flash.chapters_saved":    {"%d kapitel är sparade.", "%d chapters are saved."},
		"flash.webinar_created":   {"Webbinariet är skapat. Ladda upp inspelning, presentation och undertexter nedan.", "The webinar is created. Upload the recording, slides and subtitles below."},
		"flash.webinar_saved":     {"Ändringarna är sparade.", "The changes are saved."},
		"flash.webinar_published": {"Webbinariet är publicerat.", "The webinar is published."},
		"flash.webinar_unpublished": {"Webbinariet är avpublicerat och syns bara för redaktionen.",
			"The webinar is unpublished and only the editors can see it."},
		"flash.webinar_deleted":    {"Webbinariet är borttaget.", "The webinar is deleted."},
		"flash.slides_deleted":     {"Presentationen är borttagen.", "The slides are removed."},
		"flash.subtitles_deleted":  {"Undertexterna är borttagna.", "The subtitles are removed."},
		"flash.recording_uploaded": {"Inspelningen är uppladdad (%s).", "The recording is uploaded (%s)."},
		"flash.slides_uploaded":    {"Presentationen är uppladdad.", "The slides are uploaded."},
		"flash.poster_uploaded":    {"Affischbilden är uppladdad.", "The poster image is uploaded."},
		"flash.subtitles_uploaded": {"Undertexterna är sparade (%d textrader).", "The subtitles are saved (%d cues)."},
		"flash.subtitles_shifted":  {"Alla %d texter är flyttade %s. Undertexterna är nu version %d.", "All %d cues are moved by %s. The subtitles are now version %d."},
		"flash.wish_status":        {"Status ändrad till ”%s”.", "Status changed to “%s”."},
		"flash.wish_saved":         {"Önskemålet är sparat med status ”%s”.", "The suggestion is saved with the status “%s”."},
		"flash.wishes_merged":      {"Önskemålen är sammanslagna. Stödet räknas nu på det valda önskemålet.", "The suggestions are merged. Support now counts for the one you kept."},
		"flash.account_disabled":   {"Kontot %s är avstängt. Alla dess inloggningar och API-nycklar slutade gälla.", "The account %s is disabled. All its logins and API keys stopped working."},
		"flash.account_enabled":    {"Kontot %s är aktivt igen.", "The account %s is active again."},

		// The caption editor page (the script's own texts are "ce." below)
		"scap.heading":             {"Redigera undertexter:", "Edit subtitles:"},
		"scap.cues":                {"texter", "cues"},
		"scap.version":             {"version", "version"},
		"scap.recording_length":    {"inspelningen är %s lång", "the recording is %s long"},
		"scap.shift_failed":        {"Tiderna flyttades inte", "The times were not moved"},
		"scap.position":            {"Uppspelningsposition:", "Playback position:"},
		"scap.no_recording":        {"Ingen inspelning är uppladdad ännu. Texterna går att redigera, men inte att spela upp.", "No recording is uploaded yet. The cues can be edited, but not played."},
		"scap.no_recording_length": {"Ingen inspelning är uppladdad ännu. Texterna går att redigera, men inte att spela upp, och deras tider kontrolleras inte mot inspelningens längd.", "No recording is uploaded yet. The cues can be edited, but not played, and their times are not checked against the recording’s length."},
		"scap.shift_heading":       {"Förskjut alla tider", "Shift all times"},
		"scap.shift_label":         {"Förskjutning i millisekunder", "Shift in milliseconds"},
		"scap.shift_hint":          {"Positivt tal flyttar alla texter senare, negativt tidigare; 1000 ms är en sekund.", "A positive number moves every cue later, a negative one earlier; 1000 ms is one second."},
		"scap.shift_bounds":        {"Ingen text får hamna före början av inspelningen.", "No cue may end up before the start of the recording."},
		"scap.shift_bounds_end":    {"Ingen text får hamna före början eller efter slutet av inspelningen.", "No cue may end up before the start or after the end of the recording."},
		"scap.shift_submit":        {"Förskjut alla texter", "Shift all cues"},
		"scap.files":               {"Filer", "Files"},
		"scap.download":            {"Ladda ner som", "Download as"},
		"scap.or":                  {"eller", "or"},
		"scap.saved_version":       {"(sparad version).", "(saved version)."},
		"scap.replace_file":        {"Ersätt med en ny fil (SRT, WebVTT, SSA/ASS, EBU STL eller TTML)", "Replace with a new file (SRT, WebVTT, SSA/ASS, EBU STL or TTML)"},
		"scap.replace_submit":      {"Ladda upp och ersätt", "Upload and replace"},
		"scap.noscript":            {"Redigeraren behöver JavaScript. Utan det visas texterna här nedan, och du kan förskjuta alla tider eller ladda upp en ny fil.", "The editor needs JavaScript. Without it the cues are shown below, and you can shift all times or upload a new file."},
		"scap.loading":             {"Redigeraren laddas …", "The editor is loading …"},
		"scap.table_caption":       {"Texterna, version %d", "The cues, version %d"},
		"scap.col_n":               {"Nr", "No."},
		"scap.col_start":           {"Start", "Start"},
		"scap.col_end":             {"Slut", "End"},
		"scap.col_text":            {"Text", "Text"},

		// Wishes
		"swish.heading":        {"Önskemål", "Suggestions"},
		"swish.csv":            {"Ladda ner alla som CSV (Excel)", "Download all as CSV (Excel)"},
		"swish.filter":         {"Filtrera på status", "Filter by status"},
		"swish.all":            {"Alla", "All"},
		"swish.merge_heading":  {"Slå ihop dubbletter", "Merge duplicates"},
		"swish.merge_hint":     {"Dubbletten försvinner ur listorna och pekar på det valda önskemålet. Stödet läggs ihop; den som stött båda räknas en gång.", "The duplicate leaves the lists and points to the suggestion you keep. Support is added up; anyone who supported both counts once."},
		"swish.duplicate":      {"Dubblett", "Duplicate"},
		"swish.pick_duplicate": {"Välj dubblett", "Choose the duplicate"},
		"swish.merge_with":     {"Slå ihop med", "Merge into"},
		"swish.pick_target":    {"Välj önskemål att behålla", "Choose the suggestion to keep"},
		"swish.merge":          {"Slå ihop", "Merge"},
		"swish.supporters":     {"%d stöder", "%d supporters"},
		"swish.merged_here":    {"Sammanslagna hit:", "Merged into this one:"},
		"swish.status":         {"Status", "Status"},
		"swish.reply":          {"Publikt svar", "Public answer"},
		"swish.reply_hint":     {"Visas på sidan Önskemål när statusen är Planerad eller Genomförd. Högst 4 000 tecken.", "Shown on the suggestions page when the status is Planned or Done. At most 4,000 characters."},
		"swish.webinar":        {"Besvarat i webbinarium (slug)", "Answered in webinar (slug)"},
		"swish.webinar_hint":   {"Till exempel vattenforsorjning-2024. Lämna tomt om inget webbinarium hör till.", "For example vattenforsorjning-2024. Leave it empty if no webinar belongs to it."},
		"swish.save":           {"Spara", "Save"},
		"swish.none":           {"Inga önskemål.", "No suggestions."},
		"swish.none_status":    {"Inga önskemål med den statusen.", "No suggestions with that status."},
		"wish_status.new":      {"Ny", "New"},
		"wish_status.planned":  {"Planerad", "Planned"},
		"wish_status.done":     {"Genomförd", "Done"},
		"wish_status.declined": {"Avböjd", "Declined"},

		// Accounts
		"sacct.heading":          {"Konton", "Accounts"},
		"sacct.kind_invite":      {"Inbjudningslänk för %s", "Invitation link for %s"},
		"sacct.kind_reset":       {"Återställningslänk för %s", "Password reset link for %s"},
		"sacct.kind_reinvite":    {"Ny inbjudningslänk för %s", "New invitation link for %s"},
		"sacct.mailed":           {"Länken har också mejlats till %s.", "The link has also been mailed to %s."},
		"sacct.not_mailed":       {"Mejl är inte inställt: kopiera länken och skicka den till %s själv.", "Mail is not set up: copy the link and send it to %s yourself."},
		"sacct.link_valid":       {"Den fungerar en gång och gäller till %s.", "It works once and is valid until %s."},
		"sacct.link_copy":        {"Länk att kopiera", "Link to copy"},
		"sacct.invite_heading":   {"Bjud in en medlem", "Invite a member"},
		"sacct.invite_hint":      {"Medlemmen får en länk där hen väljer ett lösenord. Medlemmar ser webbinarier som är ”Endast medlemmar”.", "The member gets a link to choose a password. Members see webinars that are “Members only”."},
		"sacct.email":            {"E-post", "Email"},
		"sacct.municipality":     {"Kommun", "Municipality"},
		"sacct.invite_submit":    {"Skapa inbjudan", "Create invitation"},
		"sacct.region":           {"Alla konton", "All accounts"},
		"sacct.caption":          {"Alla konton (%d)", "All accounts (%d)"},
		"sacct.col_role":         {"Roll", "Role"},
		"sacct.col_status":       {"Status", "Status"},
		"sacct.col_last_login":   {"Senast inloggad", "Last login"},
		"sacct.col_actions":      {"Åtgärder", "Actions"},
		"sacct.role_admin":       {"Administratör", "Administrator"},
		"sacct.role_staff":       {"Redaktion", "Editor"},
		"sacct.role_member":      {"Medlem", "Member"},
		"sacct.status_active":    {"Aktivt", "Active"},
		"sacct.status_invited":   {"Inbjudet", "Invited"},
		"sacct.status_disabled":  {"Avstängt", "Disabled"},
		"sacct.never":            {"Aldrig", "Never"},
		"sacct.enable":           {"Aktivera", "Enable"},
		"sacct.disable":          {"Stäng av", "Disable"},
		"sacct.new_invite":       {"Ny inbjudningslänk", "New invitation link"},
		"sacct.reset_link":       {"Återställningslänk", "Password reset link"},
		"sacct.for":              {"för %s", "for %s"},
		"sacct.yours":            {"Ditt konto", "Your account"},
		"sacct.err_email":        {"Skriv en giltig e-postadress, till exempel namn@kommun.se.", "Enter a valid email address, for example name@example.com."},
		"sacct.err_municipality": {"Skriv medlemmens kommun (högst 100 tecken).", "Enter the member’s municipality (at most 100 characters)."},
		"sacct.err_exists":       {"Det finns redan ett konto med den adressen. Skapa en återställningslänk i listan i stället.", "There is already an account with that address. Create a password reset link in the list instead."},

		// Change log
		"saudit.heading":     {"Ändringslogg", "Change log"},
		"saudit.lead":        {"Vad redaktionen har ändrat, senast först (de 500 senaste ändringarna). Konton och roller som ges på kommandoraden står här som ”kommandoraden”.", "What the editors have changed, latest first (the 500 latest changes). Accounts and roles given on the command line are listed here as “kommandoraden” (the command line)."},
		"saudit.region":      {"Ändringar", "Changes"},
		"saudit.caption":     {"Ändringar, senast först", "Changes, latest first"},
		"saudit.col_when":    {"När", "When"},
		"saudit.col_who":     {"Vem", "Who"},
		"saudit.col_what":    {"Vad", "What"},
		"saudit.col_webinar": {"Webbinarium", "Webinar"},
		"saudit.col_request": {"Förfrågan", "Request"},
		"saudit.none":        {"Inga ändringar ännu.", "No changes yet."},

		// The wishes CSV file's header row
		"csv.date":         {"Datum", "Date"},
		"csv.topic":        {"Ämne", "Topic"},
		"csv.details":      {"Beskrivning", "Description"},
		"csv.name":         {"Namn", "Name"},
		"csv.email":        {"E-post", "Email"},
		"csv.municipality": {"Kommun", "Municipality"},
		"csv.status":       {"Status", "Status"},
		"csv.supporters":   {"Antal som stöder", "Supporters"},
		"csv.reply":        {"Svar", "Answer"},
		"csv.webinar":      {"Besvarat i webbinarium", "Answered in webinar"},

		// upload.js
		"upload.pause":                 {"Pausa", "Pause"},
		"upload.resume":                {"Fortsätt", "Resume"},
		"upload.cancel":                {"Avbryt", "Cancel"},
		"upload.decimal":               {",", "."},
		"upload.progress":              {"{pct} % ({loaded} av {total}, {speed}/s)", "{pct} % ({loaded} of {total}, {speed}/s)"},
		"upload.progress_left":         {"{pct} % ({loaded} av {total}, {speed}/s, {left} kvar)", "{pct} % ({loaded} of {total}, {speed}/s, {left} left)"},
		"upload.done":                  {"Klart! Sidan laddas om.", "Done! The page reloads."},
		"upload.failed":                {"Uppladdningen misslyckades.", "The upload failed."},
		"upload.connection_lost":       {"Anslutningen bröts. Inget sparades; försök igen.", "The connection broke. Nothing was saved; please try again."},
		"upload.aborted_nothing_saved": {"Uppladdningen avbröts. Inget sparades.", "The upload was cancelled. Nothing was saved."},
		"upload.choose_file":           {"Välj en fil att ladda upp.", "Choose a file to upload."},
		"upload.resumable_failed":      {"Uppladdningen kunde inte slutföras. Det som hunnit fram finns kvar; försök igen för att fortsätta.", "The upload could not be finished. What arrived is kept; try again to continue."},
		"upload.paused":                {"Pausad vid {pct} %. Tryck Fortsätt för att fortsätta.", "Paused at {pct} %. Press Resume to continue."},
		"upload.cancelled_removed":     {"Uppladdningen avbröts och det som laddats upp är borttaget.", "The upload was cancelled and what was uploaded is removed."},
		"upload.cancelled":             {"Uppladdningen avbröts.", "The upload was cancelled."},
		"upload.resuming":              {"Fortsätter en tidigare uppladdning av samma fil…", "Continuing an earlier upload of the same file…"},
		"upload.uploading":             {"Laddar upp…", "Uploading…"},

		// caption-editor.js
		"ce.locale":              {"sv-SE", "en-GB"},
		"ce.save":                {"Spara ändringar", "Save changes"},
		"ce.save_bottom_context": {"(samma som knappen ovanför listan)", "(the same as the button above the list)"},
		"ce.revert":              {"Släng osparade ändringar", "Discard unsaved changes"},
		"ce.add_here":            {"Lägg till text vid uppspelningspositionen", "Add a cue at the playback position"},
		"ce.dirty":               {"Osparade ändringar", "Unsaved changes"},
		"ce.cues":                {"Texter", "Cues"},
		"ce.err_empty_track":     {"Spåret måste ha minst en text.", "The track must have at least one cue."},
		"ce.err_start":           {"Text {n}: ogiltig starttid. Skriv till exempel 00:01:02,500.", "Cue {n}: invalid start time. Write for example 00:01:02,500."},
		"ce.err_end":             {"Text {n}: ogiltig sluttid. Skriv till exempel 00:01:04,000.", "Cue {n}: invalid end time. Write for example 00:01:04,000."},
		"ce.err_negative":        {"Text {n}: tiden är negativ.", "Cue {n}: the time is negative."},
		"ce.err_order_end":       {"Text {n}: sluttiden måste ligga efter starttiden.", "Cue {n}: the end time must come after the start time."},
		"ce.err_order":           {"Text {n}: starttiden ligger före starttiden för text {prev}; texterna måste stå i tidsordning.", "Cue {n}: the start time is before the start time of cue {prev}; the cues must be in time order."},
		"ce.err_overlap":         {"Text {n} börjar {start}, innan text {prev} slutar {end}; texter får inte överlappa.", "Cue {n} starts at {start}, before cue {prev} ends at {end}; cues may not overlap."},
		"ce.err_after_end":       {"Text {n} slutar {end}, efter inspelningens slut {length}.", "Cue {n} ends at {end}, after the end of the recording at {length}."},
		"ce.err_blank":           {"Text {n}: texten är tom.", "Cue {n}: the text is empty."},
		"ce.err_line":            {"Text {n}: en rad är längre än {max} tecken.", "Cue {n}: a line is longer than {max} characters."},
		"ce.summary_one":         {"1 fel måste rättas innan du sparar", "1 error must be corrected before you save"},
		"ce.summary_other":       {"{count} fel måste rättas innan du sparar", "{count} errors must be corrected before you save"},
		"ce.start_time":          {"starttid", "start time"},
		"ce.end_time":            {"sluttid", "end time"},
		"ce.the_start_time":      {"starttiden", "the start time"},
		"ce.the_end_time":        {"sluttiden", "the end time"},
		"ce.fix_time_first":      {"Text {n}: rätta {kind} först.", "Cue {n}: correct {kind} first."},
		"ce.time_now":            {"Text {n}: {kind} {time}.", "Cue {n}: {kind} {time}."},
		"ce.nudge_back":          {"−0,1 s", "−0.1 s"},
		"ce.nudge_forward":       {"+0,1 s", "+0.1 s"},
		"ce.nudge_context":       {"{kind}, text {n}", "{kind}, cue {n}"},
		"ce.now":                 {"Nu", "Now"},
		"ce.now_context":         {"sätt {kind} för text {n} till uppspelningspositionen", "set {kind} of cue {n} to the playback position"},
		"ce.play":                {"Spela", "Play"},
		"ce.cue_n":               {"Text {n}", "Cue {n}"},
		"ce.cue_n_lower":         {"text {n}", "cue {n}"},
		"ce.split":               {"Dela", "Split"},
		"ce.split_context":       {"text {n} vid uppspelningspositionen eller på mitten", "cue {n} at the playback position or in the middle"},
		"ce.merge":               {"Slå ihop med nästa", "Merge with next"},
		"ce.merge_context":       {"text {n} och {next}", "cues {n} and {next}"},
		"ce.add_after":           {"Lägg till efter", "Add after"},
		"ce.remove":              {"Ta bort", "Delete"},
		"ce.start":               {"Start", "Start"},
		"ce.end":                 {"Slut", "End"},
		"ce.text":                {"Text", "Text"},
		"ce.split_fix_times":     {"Text {n}: rätta tiderna innan du delar.", "Cue {n}: correct the times before you split."},
		"ce.split_done":          {"Text {n} är delad vid {at} i text {n} och {next}.", "Cue {n} is split at {at} into cues {n} and {next}."},
		"ce.split_done_empty":    {"Text {n} är delad vid {at} i text {n} och {next}; skriv texten för text {next}.", "Cue {n} is split at {at} into cues {n} and {next}; write the text of cue {next}."},
		"ce.merge_done":          {"Text {n} och {next} är sammanslagna till text {n}.", "Cues {n} and {next} are merged into cue {n}."},
		"ce.added":               {"Ny text {n} är tillagd.", "New cue {n} is added."},
		"ce.added_no_gap":        {"Ny text {n} är tillagd; det finns ingen lucka efter text {prev}, så ändra tiderna.", "New cue {n} is added; there is no gap after cue {prev}, so change the times."},
		"ce.playhead_in_cue":     {"Uppspelningspositionen {time} ligger i text {n}. Dela den texten i stället, eller spola fram.", "The playback position {time} is inside cue {n}. Split that cue instead, or move forward."},
		"ce.added_at":            {"Ny text {n} är tillagd vid {time}.", "New cue {n} is added at {time}."},
		"ce.removed":             {"Text {n} är borttagen.", "Cue {n} is deleted."},
		"ce.play_failed":         {"Videon kunde inte spelas upp.", "The video could not be played."},
		"ce.live_track":          {"{label} (redigeras)", "{label} (being edited)"},
		"ce.not_saved_errors":    {"Inget sparades: {count} fel måste rättas först.", "Nothing was saved: {count} error(s) must be corrected first."},
		"ce.saving":              {"Sparar …", "Saving …"},
		"ce.saved":               {"Sparat. Undertexterna är nu version {revision}.", "Saved. The subtitles are now version {revision}."},
		"ce.not_saved_dot":       {"Inget sparades.", "Nothing was saved."},
		"ce.not_saved":           {"Inget sparades", "Nothing was saved"},
		"ce.server_said":         {"Servern svarade {status}.", "The server answered {status}."},
		"ce.server_said_lower":   {"servern svarade {status}.", "the server answered {status}."},
		"ce.edits_kept":          {"Dina ändringar finns kvar här.", "Your changes are still here."},
		"ce.unreachable":         {"Servern gick inte att nå. Dina ändringar finns kvar här och i webbläsaren; försök igen om en stund.", "The server could not be reached. Your changes are still here and in the browser; try again in a while."},
		"ce.conflict":            {"Någon annan har ändrat undertexterna sedan du öppnade dem. Dina ändringar är inte sparade, men de finns kvar här och i webbläsaren.", "Someone else has changed the subtitles since you opened them. Your changes are not saved, but they are still here and in the browser."},
		"ce.conflict_versions":   {"Någon annan har ändrat undertexterna sedan du öppnade dem (de är nu version {revision}, dina ändringar bygger på version {base}). Dina ändringar är inte sparade, men de finns kvar här och i webbläsaren.", "Someone else has changed the subtitles since you opened them (they are now version {revision}, your changes are based on version {base}). Your changes are not saved, but they are still here and in the browser."},
		"ce.save_anyway":         {"Spara mina ändringar ändå", "Save my changes anyway"},
		"ce.save_anyway_context": {"och ersätt version {revision}", "and replace version {revision}"},
		"ce.discard_show":        {"Släng mina ändringar och visa version {revision}", "Discard my changes and show version {revision}"},
		"ce.discarded_show":      {"Version {revision} visas. Dina ändringar är slängda.", "Version {revision} is shown. Your changes are discarded."},
		"ce.conflict_heading":    {"Undertexterna har ändrats av någon annan", "Someone else has changed the subtitles"},
		"ce.conflict_say":        {"Inget sparades: undertexterna har ändrats av någon annan.", "Nothing was saved: someone else has changed the subtitles."},
		"ce.revert_confirm":      {"Släng alla osparade ändringar och visa den sparade versionen?", "Discard all unsaved changes and show the saved version?"},
		"ce.reverted":            {"De osparade ändringarna är slängda.", "The unsaved changes are discarded."},
		"ce.help":                {"Tider skrivs som timmar:minuter:sekunder,millisekunder, till exempel 00:01:02,500. ”Spela” spelar upp en text och stannar vid dess slut. ”Dela” delar texten vid uppspelningspositionen om den ligger i texten, annars på mitten. Ändringarna sparas först när du väljer ”Spara ändringar”; till dess finns de kvar i webbläsaren.", "Times are written as hours:minutes:seconds,milliseconds, for example 00:01:02,500. “Play” plays a cue and stops at its end. “Split” splits the cue at the playback position if it is inside the cue, otherwise in the middle. The changes are saved only when you choose “Save changes”; until then they are kept in the browser."},
		"ce.restored_heading":    {"Osparade ändringar är återställda", "Unsaved changes are restored"},
		"ce.restored":            {"Ändringar du gjorde {when} men inte sparade visas nu.", "Changes you made {when} but did not save are shown now."},
		"ce.earlier":             {"tidigare", "earlier"},
		"ce.restored_changed":    {"Undertexterna har ändrats sedan dess (version {from} → {to}): när du sparar får du välja vilken version som gäller.", "The subtitles have changed since then (version {from} → {to}): when you save, you choose which version counts."},
		"ce.restored_discard":    {"Släng dem och visa den sparade versionen", "Discard them and show the saved version"},
		"ce.saved_shown":         {"Den sparade versionen visas.", "The saved version is shown."},
		"ce.load_failed":         {"Redigeraren kunde inte laddas: {reason} Texterna visas nedan utan redigering.", "The editor could not be loaded: {reason} The cues are shown below without editing."},
		"ce.load_unreachable":    {"Redigeraren kunde inte laddas: servern gick inte att nå. Texterna visas nedan utan redigering.", "The editor could not be loaded: the server could not be reached. The cues are shown below without editing."},
	} {
		messages[k] = m
	}
}

// tr is the text for key in the language of this request, for flash
// messages and titles set before a page is rendered.
func (s *Server) tr(c *fiber.Ctx, key string, args ...any) string {
	if len(args) == 0 {
		return translate(s.pageLang(c), key)
	}
	return fmt.Sprintf(translate(s.pageLang(c), key), args...)
}

// DateTime is "6 maj 2024 10:00" or "6 May 2024 10:00", Stockholm time.
func (b Base) DateTime(t time.Time) string {
	t = t.In(stockholm)
	return fmt.Sprintf("%s %02d:%02d", b.Date(t), t.Hour(), t.Minute())
}

// WishStatusLabel names a wish status in the page's language.
func (b Base) WishStatusLabel(st wish.Status) string {
	if _, ok := messages["wish_status."+string(st)]; ok {
		return b.T("wish_status." + string(st))
	}
	return st.Label()
}

// FieldError is a form field's message from a domain package in the
// page's language (see fieldErrorText).
func (b Base) FieldError(sv string) string {
	text, _ := fieldErrorText(b.Lang, sv)
	return text
}

// ErrorMessage is an error message from a domain package in the page's
// language, where a translation is known.
func (b Base) ErrorMessage(sv string) string {
	if b.Lang == langEN {
		if en, ok := englishByText(sv); ok {
			return en
		}
	}
	return sv
}

// JSTexts are the messages whose keys start with prefix, prefix removed,
// for a <script type="application/json"> block a script reads (CSP allows
// no inline script; a JSON block is data and never runs).
func (b Base) JSTexts(prefix string) map[string]string {
	out := map[string]string{}
	for k := range messages {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = b.T(k)
		}
	}
	return out
}

// TIn is a text in a given language, for a line that is in that language
// whatever the page's (the English tagline on Swedish pages).
func (b Base) TIn(lang, key string) string { return translate(lang, key) }

// staffFormPage is where the language switch on a staff page reached by
// POST (a form shown again with errors) leads: the GET page of the form.
func staffFormPage(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	// staff/webinars/{slug}[/chapters|/subtitles/{lang}/shift|...]
	if len(parts) >= 3 && parts[1] == "webinars" {
		switch {
		case len(parts) == 4 && parts[3] == "chapters":
			return "/staff/webinars/" + parts[2] + "/chapters"
		case len(parts) == 6 && parts[3] == "subtitles" && parts[5] == "shift":
			return "/staff/webinars/" + parts[2] + "/subtitles/" + parts[4] + "/edit"
		}
		return "/staff/webinars/" + parts[2] + "/edit"
	}
	if len(parts) == 2 && parts[1] == "webinars" {
		return "/staff/webinars/new"
	}
	if len(parts) >= 2 && (parts[1] == "accounts" || parts[1] == "wishes") {
		return "/staff/" + parts[1]
	}
	return "/staff"
}

// csvHeaderIn is the wishes CSV file's header row in lang (csvHeader in
// Swedish).
func csvHeaderIn(lang string) []string {
	keys := []string{"date", "topic", "details", "name", "email", "municipality", "status", "supporters", "reply", "webinar"}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = translate(lang, "csv."+k)
	}
	return out
}
