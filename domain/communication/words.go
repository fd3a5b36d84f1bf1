package communication

// The word lists the preflight reads a message with, all in this one file so
// that a missed apology or a new joke is fixed by adding a line here (and a
// case to preflight_test.go), never by editing the checks.
//
// How an entry matches: text is cut into lowercase words (letters, digits and
// apostrophes; ’ is read as '; anything else, hyphens included, separates
// words), and an entry is a sequence of such words that must appear one after
// the other. A word ending in "*" matches every word it starts ("apolog*"
// matches apologise, apologize, apologies, apologising). So "two-factor" is
// written "two factor" and also matches "two factor" and "two—factor".

// apologyPhrases say sorry or own the mistake. One of them must be in the
// opening of the body (PLAYBOOK step 5: "say sorry", "no buried news").
var apologyPhrases = []string{
	"sorry",
	"apolog*", // apologise, apologize, apologies, apology, apologising
	"regret*", // we regret, regrettably
	"made a mistake",
	"made an error",
	"our mistake",
	"our error",
	"our fault",
	"we messed up",
	"we got it wrong",
	"we got this wrong",
}

// greetingWords open a salutation line ("Dear Sam,", "Hi there,"), which is
// not the first paragraph a reader takes the news from: the opening check
// looks past it.
var greetingWords = []string{"dear", "hi", "hello", "hey", "greetings", "good morning", "good afternoon", "good evening", "to"}

// clearSubjectWords say what a message is about the mistake; one of them in
// the subject is enough (DESIGN.md unclear_subject: mistake, error,
// correction, sorry, apolog…, notice, breach, update).
var clearSubjectWords = []string{
	"mistake*", "error*", "correct*", "sorry", "apolog*", "notice", "breach*",
	"disregard", "ignore", "wrong", "incorrect", "regret*", "fault", "messed up", "incident",
}

// weakSubjectWords say "something happened" without saying what: alone
// ("An update", "An important update") they are vague, so they make a subject
// clear only next to at least minSubjectContentWords other words that are
// not subjectFillerWords ("Update on yesterday's order email").
var weakSubjectWords = []string{"update*"}

// minSubjectContentWords is how many words besides a weak word a subject
// needs to say what it is about.
const minSubjectContentWords = 2

// subjectFillerWords carry no meaning of their own in a subject.
var subjectFillerWords = []string{
	"a", "an", "the", "our", "your", "my", "of", "on", "to", "for", "from", "about", "re", "fw", "fwd",
	"important", "quick", "urgent", "please", "read", "new", "little", "small", "big", "and", "this", "that", "some",
}

// noReplyMarkers are the local parts (lowercased, with ".", "-", "_" and a
// "+tag" removed) of addresses nobody reads: a local part containing one is a
// no-reply address (PLAYBOOK step 5: "no no-reply sender: people will answer").
var noReplyMarkers = []string{"noreply", "donotreply", "dontreply", "noresponse", "donotrespond", "nomail", "mailerdaemon", "bounce"}

// humourPhrases are jokes, giggles and shrugs, which a crisis mail must not
// have (PLAYBOOK step 5: "no humour").
var humourPhrases = []string{
	"oops*", "whoops*", "oopsie*", "whoopsie*", "uh oh", "d'oh", "doh",
	"lol", "lols", "lool*", "lmao", "lmfao", "rofl", "haha*", "hehe*", "hihi*",
	"our bad", "my bad", "facepalm*", "face palm*",
	"butterfingers", "brain fart", "fat finger*", "gremlins", "the intern",
}

// humourEmoji are laughing, face-palm, wink and shrug emoji.
var humourEmoji = []rune{
	'😂', '🤣', '😅', '😆', '😹', '🙈', '🙊', '🤦', '🤷', '😜', '😝', '😛', '😉', '🙃', '😬', '🤪', '🤡', '💩', '🫣',
}

// hedgingPhrases are the stock phrases of a mail that plays a mistake down
// instead of saying it plainly (PLAYBOOK step 5: "clear and direct: no
// hedging, no vague words"). Kept short on purpose: each is a cliché readers
// and regulators recognise, and finding one is only a warning.
var hedgingPhrases = []string{
	"abundance of caution",
	"highly sophisticated",
	"any inconvenience this may have caused",
	"any inconvenience this may cause",
	"we take your privacy seriously",
	"we take your security seriously",
	"we take the security of your",
	"we take the privacy of your",
	"if you were offended",
	"sorry if you",
}

// breachHeadings are the five headings of California's model breach notice
// (Cal. Civ. Code § 1798.82(d)), in its order, which also cover what GDPR
// Art. 34(2) asks a notice to the data subject to say (nature, likely
// consequences, measures, contact point). Each must be a heading of the
// notice: an HTML h1–h4, strong or b element, a text line, or the start of a
// paragraph followed by ":" ("What Happened: On May 3 …").
var breachHeadings = []string{
	"What Happened",
	"What Information Was Involved",
	"What We Are Doing",
	"What You Can Do",
	"For More Information",
}

// breachTitle is the title California requires of a breach notice to its
// residents (Cal. Civ. Code § 1798.82(d)(1)); the subject must contain it, a
// prefix such as the brand name is allowed.
const breachTitle = "notice of data breach"

// credentialsCategory is the data category (incident.CategoryCredentials,
// the assessment's data_categories_exposed) whose exposure makes a breach
// notice tell people to change their password and turn on two-factor
// authentication.
const credentialsCategory = "credentials"

// passwordWords name the secret a reader must change.
var passwordWords = []string{"password*", "passphrase*", "passcode*", "pin"}

// passwordActionWords are what one does to it; a sentence with a
// passwordWords entry and one of these tells the reader to change it.
var passwordActionWords = []string{"chang*", "reset*", "updat*", "new", "replace*", "different", "unique"}

// twoFactorPhrases name a second factor.
var twoFactorPhrases = []string{
	"two factor", "2 factor", "2fa", "multi factor", "multifactor", "mfa", "two step", "2 step",
	"second factor", "authenticator app", "security key*",
}
