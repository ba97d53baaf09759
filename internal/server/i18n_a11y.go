package server

// Texts of the accessibility statement (/tillganglighet), following the
// structure of DIGG's model statement, and of the footer link to it.
func init() {
	for k, m := range map[string]message{
		"footer.a11y":  {"Tillgänglighetsredogörelse", "Accessibility statement"},
		"a11y.title":   {"Tillgänglighetsredogörelse", "Accessibility statement"},
		"a11y.heading": {"Tillgänglighet för SmåKoms webbinariearkiv", "Accessibility of SmåKom’s webinar archive"},
		"a11y.intro": {"SmåKom står bakom den här webbplatsen. Vi vill att så många som möjligt ska kunna använda den. Här beskriver vi hur webbinariearkivet uppfyller lagen om tillgänglighet till digital offentlig service, vilka brister vi känner till och hur du kan rapportera brister till oss så att vi kan åtgärda dem.",
			"SmåKom runs this website. We want as many people as possible to be able to use it. This statement describes how the webinar archive complies with the Swedish law on accessibility to digital public services, which problems we know of, and how you can report problems to us so that we can fix them."},
		"a11y.status_heading": {"Hur tillgänglig är webbplatsen?", "How accessible is the website?"},
		"a11y.status": {"Webbplatsen är delvis förenlig med lagen om tillgänglighet till digital offentlig service (WCAG 2.1 nivå AA), på grund av de brister som beskrivs nedan.",
			"The website is partially compliant with the law on accessibility to digital public services (WCAG 2.1 level AA), because of the shortcomings described below."},
		"a11y.help_heading": {"Vad kan du göra om du inte kan använda delar av webbplatsen?", "What can you do if you cannot use parts of the website?"},
		"a11y.help": {"Om du behöver innehåll i ett annat format, till exempel en presentation som tillgänglig text eller en utskrift av ett webbinarium, skriv till oss med formuläret nedan.",
			"If you need content in another format, for example a slide deck as accessible text or a transcript of a webinar, write to us with the form below."},
		"a11y.shortcomings_heading": {"Innehåll som inte är tillgängligt", "Content that is not accessible"},
		"a11y.shortcomings_intro":   {"Det här känner vi till:", "These are the problems we know of:"},
		"a11y.gap_slides": {"Presentationer (PDF och PowerPoint) kommer ofta från föreläsare utanför SmåKom. De kan sakna taggar, läsordning, rubriker och alternativtexter till bilder (WCAG 1.1.1, 1.3.1). Det viktigaste innehållet sägs i inspelningen och finns i undertexterna.",
			"Slide decks (PDF and PowerPoint) often come from speakers outside SmåKom. They may lack tags, reading order, headings and text alternatives for images (WCAG 1.1.1, 1.3.1). The essential content is spoken in the recording and is in the subtitles."},
		"a11y.gap_captions": {"Äldre inspelningar kan sakna undertexter eller ha undertexter med fel tills vi hunnit granska dem (WCAG 1.2.2). Webbinarier utan undertexter saknar märket ”Textad” i katalogen.",
			"Older recordings may lack subtitles, or have subtitles with mistakes until we have reviewed them (WCAG 1.2.2). Webinars without subtitles lack the “Subtitled” badge in the catalogue."},
		"a11y.gap_description": {"Inspelningarna har ingen syntolkning. Det som bara visas på bild, till exempel diagram i presentationer, beskrivs inte alltid i tal (WCAG 1.2.5).",
			"The recordings have no audio description. What is only shown on screen, such as charts in slides, is not always described in speech (WCAG 1.2.5)."},
		"a11y.gap_embed": {"Spelaren som andra webbplatser bäddar in visar inte utskriften av webbinariet; den finns på webbinariets sida här.",
			"The player that other websites embed does not show the transcript; it is on the webinar’s page here."},
		"a11y.report_heading": {"Rapportera brister i webbplatsens tillgänglighet", "Report accessibility problems"},
		"a11y.report_intro": {"Vi strävar hela tiden efter att förbättra webbplatsens tillgänglighet. Om du upptäcker problem som inte beskrivs här, eller om du anser att vi inte uppfyller lagens krav, meddela oss så att vi får veta att problemet finns. Ange e-post om du vill ha svar.",
			"We keep working to improve the website’s accessibility. If you find a problem that is not described here, or you think we do not meet the requirements of the law, let us know so that we know about it. Give your email address if you want an answer."},
		"a11y.report_where":        {"Vilken sida eller funktion gäller det?", "Which page or feature is it about?"},
		"a11y.report_where_hint":   {"Till exempel webbinariets titel eller ”sökrutan”.", "For example the webinar’s title or “the search box”."},
		"a11y.report_what":         {"Beskriv problemet", "Describe the problem"},
		"a11y.report_email_hint":   {"Frivilligt. Används bara för att svara dig.", "Optional. Only used to answer you."},
		"a11y.report_submit":       {"Skicka rapporten", "Send the report"},
		"a11y.enforcement_heading": {"Tillsyn", "Enforcement procedure"},
		"a11y.enforcement": {"Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn över lagen om tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du kontakta Digg och påtala det.",
			"The Agency for Digital Government (Digg) is responsible for enforcing the law on accessibility to digital public services. If you are not satisfied with how we handle your feedback, you can contact Digg and tell them."},
		"a11y.enforcement_link": {"Anmäl bristande tillgänglighet till Digg", "Report inaccessibility to Digg (in Swedish)"},
		"a11y.tested_heading":   {"Hur vi testat webbplatsen", "How we tested the website"},
		"a11y.tested": {"Vi har själva granskat webbplatsen. Varje sidtyp, på svenska och engelska, kontrolleras automatiskt med verktyget axe-core mot WCAG 2.1 nivå A och AA vid varje ändring, och att allt går att använda med tangentbord testas automatiskt i en riktig webbläsare.",
			"We have reviewed the website ourselves. Every page type, in Swedish and English, is checked automatically with the axe-core tool against WCAG 2.1 levels A and AA on every change, and keyboard use is tested automatically in a real browser."},
		"a11y.reviewed": {"Senaste bedömningen gjordes den", "The latest assessment was made on"},
		"a11y.updated":  {"Redogörelsen uppdaterades senast den", "The statement was last updated on"},
	} {
		messages[k] = m
	}
}
