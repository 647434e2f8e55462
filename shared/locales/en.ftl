# Amanat — English catalog.
# Keys: `{list}-{code}` option labels, `field-…` field labels, `help-…` help texts,
# `problem-…` field problems, `error-…` error codes, `{page}-{name}` app strings.
# Every key here exists in every other catalog with the same variables (tested).

-pinfl = PINFL
-iin = IIN
-inson = Inson

## The frame around every page.
app-name = Amanat
app-tagline = Family records, sealed in this browser before they are stored.
integrity-alarm = Alarm: the server sent app files that are not the organisation's build. This device refused them and kept using the copy it had. Do not enter records; report this to your privacy officer at once. Files refused:
app-end_session = End session
app-signed_in_as = Signed in as
app-language = Language
app-language_failed = This language could not be loaded. Check the connection and choose it again.
app-chunk_failed = This part of the app could not be loaded. Check the connection and reload the page.

## Sign-in.
signin-title = Sign in
signin-name = Account name
signin-token = Access token
signin-submit = Sign in
signin-working = Signing in…
signin-missing = Enter your account name and access token.
signin-wrong_role = This account cannot use this page.
signin-ended = Session ended.

## The caseworker's vault: enrolment, unlocking, locking.
enrol-title = Choose your passphrase
enrol-intro = Your administrator gave you this one-time link. Type your account name and choose a passphrase: it unlocks your key on any computer, also offline on this one. Nobody can recover it for you.
enrol-name = Account name
enrol-passphrase = New passphrase
enrol-again = Type the new passphrase again
enrol-rules = At least 12 characters; best several unrelated words (any language). Not your account name.
enrol-strength = Strength
enrol-submit = Make my key
enrol-working = Making your key and sealing it with the passphrase…
enrol-done = Your key is ready. This device can now unlock it offline too.
enrol-opening = Opening your enrolment link…
enrol-retry = Try the link again
enrol-to_signin = Go to sign-in
strength-too_weak = too weak
strength-fair = fair
strength-good = good
strength-strong = strong
vault-title = Unlock
vault-passphrase = Passphrase
vault-submit = Unlock
vault-working = Unlocking…
vault-missing = Enter your account name and passphrase.
vault-offline = Unlocked offline on this device. Uploads start when the relay can be reached.
vault-offline_delayed = Unlocked on this device. The relay asks this address to wait before signing in again (too many wrong passphrases for this account): your work is saved here and uploads start once the relay lets you in.
vault-offline_unknown = The relay cannot be reached, and this account has not signed in on this device before. Connect once to sign in; after that it also works offline.
vault-locked_idle = Locked after a time without use. Sign in again to continue.
vault-locked_other_tab = Locked because the app was locked in another tab.
vault-locked_ended = Session ended. Nothing readable is left on this page.
vault-online_pending = Offline: not yet signed in to the relay

## Changing the passphrase.
passphrase-title = Change passphrase
passphrase-current = Current passphrase
passphrase-submit = Change passphrase
passphrase-working = Sealing your key with the new passphrase…
passphrase-changed = Passphrase changed. Use the new one from now on, on every device.

## My cases.
cases-title = My cases
cases-hint = Entries you recorded, on this device and on the relay, opened with your own key in this page's memory only.
cases-open = Open my cases
cases-close = Close my cases
cases-none = You have not recorded anything yet.
cases-continue = Continue this case
record-attachments = Attached photos and scans
record-kb = { $kb } KB
record-signed_on_screen = Signed on the screen
record-superseded = Corrected by a later entry of this case; kept as it was.
author-verified = verified author
author-unapproved = author not yet approved
author-forged = forged: not written by the author it names
author-unsigned = unsigned (older)
record-not-counted = Not counted toward consent, figures or search.

## The v1 intake form.
intake-title = Family intake
intake-family_name = Family name
intake-region = Region
intake-region_choose = Choose a region
intake-child = Child
intake-child_full_name = Child's full name
intake-child_date_of_birth = Child's date of birth
intake-risk_factors = Situation and risk factors
intake-assessment = Assessment
intake-save = Seal and save
intake-sealing = Sealing…
intake-saved = Sealed and saved on this device. It will be uploaded to the relay.
intake-summary_title = There is a problem
intake-storage_failed = This browser's storage refused the sealed entry. Nothing was lost from the form; try again.

## The outbox.
outbox-title = Outbox
outbox-hint = Only sealed entries are kept on this device; nothing here can be read without a key holder's key.
outbox-empty = Nothing sealed on this device yet.
outbox-entry = Entry
outbox-case = case
outbox-bytes = bytes
outbox-state-sealed = sealed
outbox-state-waiting = waiting for the relay
outbox-state-uploaded = uploaded
outbox-state-refused = refused
outbox-state-corrupted = damaged
outbox-retry_now = Try uploading now
outbox-counts = { $waiting } waiting · { $uploaded } uploaded
outbox-progress = Uploaded { $done } of { $total }

## The keyring pin.
pin-title = Organisation key
pin-built_in = built into this app
pin-first_use = trusted on first use on this device
pin-none = not yet known: it is pinned when the first keyring is checked

## The relay.
relay-unreachable = The relay cannot be reached. Your work is kept sealed on this device and will be uploaded when it is back.
relay-unexpected = The relay answered in a way this app does not understand.

## The key holder's page.
adviser-title = Case files
adviser-identity_file = Your age identity file
adviser-identity_hint = The key is read into this page's memory only. It is never stored or sent.
adviser-key_loaded = Key loaded. Opening entries…
adviser-key_count = Identities loaded: { $count }
adviser-forget_key = Forget key
adviser-key_forgotten = The key was forgotten and opened records were cleared from the page.
adviser-reload = Reload entries
adviser-no_entries = The relay holds no entries.
adviser-opened = Opened: { $ok } / { $count }
adviser-failed = could not be opened
adviser-failures = Entries that could not be opened
adviser-region = Region
adviser-children = Children
adviser-born = born
adviser-risk_factors = Situation and risk factors
adviser-assessment = Assessment
adviser-case = Case
adviser-author = Recorded by
adviser-created_at = Recorded at
adviser-no_key = Choose your identity file to open the entries.

## Shared words of the forms.
common-yes = Yes
common-no = No
common-choose = Choose…
common-add = Add
common-remove = Remove
common-move_up = Move up
common-move_down = Move down
common-optional = optional
common-save = Seal and save
common-print = Print
common-cancel = Cancel
common-date_hint = dd.mm.yyyy
common-not_answered = Not answered
summary-title = { $count ->
    [one] There is 1 problem to fix before saving
   *[other] There are { $count } problems to fix before saving
}
draft-saved = Draft sealed and kept on this device at { $time }.
draft-resumed = Your unsaved form was restored from its sealed draft.
draft-discard = Discard draft

## Intake: sections.
form-intake-title = Family intake
section-meta = About this intake
section-address = Address and housing
section-household = Household members
section-children_at_risk = Children at risk
section-risk = Situation and risk factors
section-needs = Needs and requested services
section-assessment = Caseworker's assessment
household-members_count = { $count ->
    [one] { $count } household member
   *[other] { $count } household members
}
household-member_n = Member { $n }
household-add_member = Add a household member
household-remove_member = Remove this member
children_at_risk-add = Add a child at risk
needs-priority = Priority

## Intake and shared fields (also the names in the error summary).
field-meta-date = Date of intake
field-meta-caseworker = Caseworker
field-meta-office = Office or centre
field-meta-channel = How the contact took place
field-meta-referral_source = How the family came to us
field-meta-referral_note = Who referred the family
field-family_name = Family name
field-address-country = Country
field-address-region = Region
field-address-district = District
field-address-district_text = District
field-address-mahalla = Mahalla or settlement
field-address-street = Street, house, flat
field-address-phones = Phone number
field-address-housing_type = Housing
field-address-housing_condition = Condition of the housing
field-address-housing_note = Notes on housing
field-household = Household members
field-household-full_name = Full name
field-household-date_of_birth = Date of birth
field-household-sex = Sex
field-household-relation = Relation to the head of household
field-household-citizenship = Citizenship
field-household-document-kind = Identity document
field-household-document-number = Document series and number
field-household-document-personal_number = Personal number (PINFL in Uzbekistan, IIN in Kazakhstan)
field-household-disability = Has a disability
field-household-disability_group = Disability group
field-household-activity = Schooling or employment
field-household-health_notes = Health notes
field-household-residence = Lives now
field-household-residence_note = Where, and since when
field-children_at_risk = Children at risk
field-children_at_risk-member = Child
field-children_at_risk-separation_risk = Risk of separation from the family
field-children_at_risk-care_arrangement = Who cares for the child now
field-children_at_risk-school_attendance = School attendance
field-children_at_risk-notes = Notes
field-risk-factors = Situation and risk factors
field-risk-other = Other risk factor
field-risk-notes = Notes on the situation
field-risk-level = Overall risk level
field-needs = Requested services
field-needs-service = Service
field-needs-note = Note
field-assessment = Assessment

## Help texts.
help-meta-referral_source = Who first told us about the family, or whether they came themselves.
help-address-mahalla = Type the mahalla (Uzbekistan) or settlement, microdistrict (Kazakhstan) as people call it.
help-address-phones = For example +998 90 123 45 67 or +7 701 123 45 67. Spaces and dashes are fine.
help-pinfl = The { -pinfl } has 14 digits and is printed on the ID card, passport or birth certificate.
help-iin = The { -iin } has 12 digits and is printed on the ID card, passport or birth certificate.
help-household-disability_group = Children under 18 have the status "disabled child"; adults have a group from 1 to 3.
help-household-residence = Tick where the person lives now, even if they are registered at this address.
help-risk-level = Emergency means a child is unsafe today: act first, write later.
help-assessment = Your own assessment: what you saw, what the family says, what should happen next.

## Consent form.
form-consent-title = Informed consent
section-consent-who = Who gives consent
section-consent-children = Children's assent
section-consent-purposes = What the family agrees to
section-consent-sharing = Sharing with other parties
section-consent-terms = Data, retention and rights
section-consent-signature = Signature
section-consent-withdrawal = Withdrawal of consent
consent-intro = { $organisation } (tax number { $tax_number }) asks for your consent to keep and use the information about your family described below. You may say yes or no to each part separately.
consent-purposes-help = Answer each line separately. Saying no to one does not stop the others.
consent-sharing-help = Information is shared only with the parties you allow, and only for the services your family needs.
consent-special-data = Health, private life and violence are special data: the law requires a written or electronic signature for them.
consent-assent-help = Ask each child from about { $age } years old in words they understand. Only a clear "yes" is assent: staying silent is not.
consent-withdraw_all = Withdraw all consent
consent-withdraw-help = A family can withdraw consent at any time, orally or in writing. Record it here: earlier entries are kept, and the app stops every action that needs what was withdrawn.
consent-signature-draw = Sign in the box with a finger, stylus or mouse.
consent-signature-clear = Clear the signature
consent-signature-on_paper = Signed on paper
consent-signature-attach_scan = Attach the scan of the signed page
consent-print-title = Consent form for signature
consent-print-signature_line = Signature
consent-print-date_line = Date and place
consent-state-title = Current consent
consent-state-granted = Allowed since { $date }
consent-state-granted_until = Allowed from { $date } until { $until }
consent-state-refused = Refused on { $date }
consent-state-withdrawn = Withdrawn on { $date }
consent-state-not_asked = Not asked
consent-refusal-not_asked = Not allowed: the family has not been asked about "{ $missing }". Record their consent first.
consent-refusal-refused = Not allowed: the family refused "{ $missing }" on { $date }.
consent-refusal-withdrawn = Not allowed: the family withdrew "{ $missing }" on { $date }.
consent-refusal-expired = Not allowed: consent to "{ $missing }" expired on { $date }. Ask the family to renew it.
consent-rights-text = Your rights. You may ask at any time to see what is recorded about your family, and to have it corrected. You may withdraw your consent at any time, orally or in writing; this does not affect what was done before. Information about your family is encrypted on the worker's device and can be opened only by the people named by the organisation. It is kept for the period stated below and then deleted. If you think your data is misused, you may complain to the organisation's contact named on this form or to the authority that protects personal data.
field-date = Date
field-place = Place
field-operator-name = Organisation
field-operator-country = Country of the organisation
field-operator-tax_number = Tax number (STIR or BIN)
field-operator-complaints_contact = Contact for complaints
field-consenter-role = Gives consent as
field-consenter-full_name = Full name of the person giving consent
field-consenter-document-kind = Identity document
field-consenter-document-number = Document series and number
field-consenter-document-personal_number = Personal number (PINFL or IIN)
field-children = Children
field-children-full_name = Child's full name
field-children-date_of_birth = Child's date of birth
field-children-assent = Child's answer
field-witness = Witness (caseworker)
field-decisions = Consent decisions
field-data_categories = Data covered by this consent
field-retention_years = Kept for (years)
field-expires_on = Consent valid until
field-signature = Signature
field-signature-scan = Scan of the signed form
field-withdrawal_form = Withdrawal expressed
field-notes = Notes
field-kind = Type of entry
field-consenter-citizenship = Citizenship of the person giving consent
field-operator-address = Address of the organisation
section-consent-operator = Personal data operator (the organisation that keeps the data)
consent-withdraw-which = What the family withdraws
consent-children-add = Add a child
children-row = Child { $n }

## Follow-up and closure.
form-follow_up-title = Follow-up
form-closure-title = Closing the case
section-contacts = Visits and contacts
section-services = Services delivered
section-referrals = Referrals
section-goals = Service plan goals
contacts-add = Add a contact
services-add = Add a service
referrals-add = Add a referral
goals-add = Add a goal
contacts-row = Contact { $n }
services-row = Service { $n }
referrals-row = Referral { $n }
goals-row = Goal { $n }
field-contacts = Visits and contacts
field-contacts-date = Date
field-contacts-channel = Type of contact
field-contacts-with_whom = With whom
field-contacts-notes = Notes
field-services = Services delivered
field-services-service = Service
field-services-date = Date
field-services-provider = Provided by
field-services-via_referral = Through a referral
field-services-notes = Notes
field-referrals = Referrals
field-referrals-party = Referred to
field-referrals-organisation = Organisation
field-referrals-service = For the service
field-referrals-date = Date
field-referrals-status = Status
field-referrals-notes = Notes
field-goals = Goals
field-goals-goal = Goal
field-goals-service = Related service
field-goals-target_date = Target date
field-goals-status = Status
field-goals-notes = Notes
field-outcome = Outcome
field-outcome_note = Details of the outcome
field-children_returned = Children returned to the family

## Attachments.
attachment-take_photo = Take a photo
attachment-choose_file = Choose a file
attachment-sealing = Sealing { $percent }%
attachment-sealed = Attached and sealed
attachment-unsupported = Only JPEG, PNG, WebP photos and PDF scans can be attached.
attachment-too_large = The file is larger than 32 MB. Photograph or scan it at a lower resolution, or attach it page by page.
attachment-unreadable = This browser could not read the file. Choose it again; if it was moved or deleted, find it first.
attachment-progress = Sealing the attachment

## Field problems.
problem-required = Fill this in.
problem-too_long = This is too long.
problem-date_in_future = The date cannot be in the future.
problem-not_a_child = A child at risk must be under 18 on the intake date.
problem-too_many = Too many entries.
problem-age_implausible = This date of birth gives an implausible age; check the year.
problem-date_before_start = This date must come after the start date.
problem-pinfl_format = A { -pinfl } has 14 digits.
problem-pinfl_invalid = This is not a valid { -pinfl }: its first digit or its date of birth part is wrong.
problem-pinfl_mismatch = The { -pinfl } does not match the date of birth or sex entered.
problem-iin_format = An { -iin } has 12 digits.
problem-iin_checksum = This { -iin }'s check digit is wrong; check for a mistyped digit.
problem-iin_invalid = This is not a valid { -iin }: its date of birth or century digit is wrong.
problem-iin_mismatch = The { -iin } does not match the date of birth or sex entered.
problem-phone_format = Enter a phone number as +998 and 9 digits, or +7 and 10 digits.
problem-tax_number_format = A STIR has 9 digits; a BIN has 12 digits with a valid check digit.
problem-duplicate = This is listed twice.
problem-one_head_only = Only one member can be the head of the household.
problem-unknown_member = This person is no longer in the household list.
problem-signature_invalid = The signature could not be read; ask the person to sign again.
problem-signature_required = Special data (health, private life, violence) needs a signature, drawn or on paper.
problem-scan_required = Attach the scan of the signed paper form.
problem-file_too_large = The file is too large.
problem-consent_missing = The family's consent does not allow this now.
problem-retention_invalid = The retention period must be between 1 and 75 years.

## Error codes.
error-bad_case_id = The case id must be 32 lowercase hexadecimal digits.
error-bad_entry_id = The entry id must be 64 lowercase hexadecimal digits (the SHA-256 of the body).
error-id_mismatch = The entry id is not the SHA-256 of the uploaded bytes; the upload was damaged or the id is wrong.
error-not_age = This is not an age v1 encrypted file. Only sealed records are accepted; nothing was stored.
error-header_too_large = The age header is too large or has too many recipients.
error-scrypt_in_record = Records must be sealed to key holders, not to a passphrase.
error-too_few_recipients = The entry is sealed to fewer key holders than the current keyring holds. Reload the keyring and save again.
error-too_large = The upload is larger than the relay accepts.
error-unauthorized = Sign in first: the request had no valid session or token.
error-forbidden = Your role does not allow this.
error-not_found = No such entry.
error-rate_limited = Too many requests; wait a moment and try again.
error-bad_request = The request is malformed.
error-internal = The relay failed to complete the request; nothing was changed. Try again.
error-keyring_malformed = The keyring is malformed. Nothing was sealed; ask an administrator to publish a signed keyring.
error-keyring_bad_signature = The keyring's signature does not verify against the organisation key. Nothing was sealed to it; report this to your privacy officer.
error-keyring_wrong_signer = The keyring is signed by a different organisation key than this device trusts. Nothing was sealed to it; report this to your privacy officer.
error-keyring_empty = The keyring holds no adviser and no recovery recipient, so nobody could open the record. Nothing was sealed.
error-keyring_expired = The keyring has expired (or carries no expiry date), so it may name people who no longer hold keys. Nothing was sealed; what you typed is kept. Ask your administrator to renew the keyring (amanat keyring renew).
error-keyring_not_yet_valid = The keyring is dated in the future. Check this device's date and time; nothing was sealed and what you typed is kept.
error-keyring_rollback = The relay served an older keyring than this device has already seen, which could bring back a removed key holder. Nothing was sealed; what you typed is kept. Report this to your privacy officer.
error-author_key_malformed = This is not an Amanat author key (amanat-author-v1:…). Nothing was changed; check that the whole key was copied.
error-roster_invalid = The list of approved authors is damaged or not signed by this organisation's key. Entries are shown as from authors not yet approved, and none of them counts; report this to your privacy officer.
error-roster_missing = No list of approved authors has been published yet, so no entry's author can be verified. Ask your administrator to approve authors (amanat roster approve).
error-author_key_exists = This account already has an author key; nothing was changed. A new one comes only with a new enrolment link from your administrator.
error-release_bad_signature = The app's signed file list (release.sig) is missing, damaged or does not match the list of files served. The app in use may not be the organisation's release: stop entering records and report this to your privacy officer.
error-release_wrong_signer = The app's file list is signed by a different key than the organisation key built into this app. The app in use may not be the organisation's release: stop entering records and report this to your privacy officer.
error-keyring_no_recovery = The keyring has no offline recovery recipient, so a lost key would lose records. Nothing was sealed; ask an administrator to add one.
error-bad_recipient = A recipient is not a valid age X25519 public key (age1…).
error-bad_identity_file = This file holds no age identity (AGE-SECRET-KEY-1…). Choose the identity file you were given.
error-wrong_key = This key does not open the entry: it was not sealed to you.
error-corrupted = The entry is damaged or was tampered with: its integrity check failed. It was kept as it is.
error-record_unreadable = The entry opened, but its content is not a record this version understands.
error-invalid = Some fields need attention before the record can be saved.
error-wrong_passphrase = The name or passphrase is not right. Check the keyboard language and Caps Lock, then try again.
error-sign_in_delayed = Too many wrong passphrases for this account from this address: wait before trying again (the wait grows with each wrong try). Anything saved on this device is safe, and a device that has opened this account before still unlocks offline.
error-account_disabled = This account has been disabled by your administrator: the relay accepts nothing from it. Records already saved on this device stay sealed; ask your administrator.
error-quota_exceeded = This account has used all the space on the relay that the organisation allows it. Nothing is lost: the record stays sealed on this device and is sent once your administrator raises the quota.
error-upload_rate_limited = This account has sent more records in a short time than the relay allows. Nothing is lost: they stay sealed on this device and are sent automatically in a little while.
error-storage_full = The relay is running out of disk space and is not accepting records for now. Nothing is lost: they stay sealed on this device and are sent later; tell your administrator.
error-passphrase_weak = Choose a longer passphrase: at least 12 characters, best several unrelated words, not your account name.
error-passphrase_too_long = The passphrase is too long (at most 1024 bytes).
error-passphrase_mismatch = The two passphrases differ. Type the new passphrase twice, the same both times.
error-enrolment_invalid = This enrolment link is not valid: it was already used, has expired or was mistyped. Ask your administrator for a new one.
error-not_enrolled = This account has not chosen a passphrase yet. Open the enrolment link your administrator gave you.
error-vault_locked = The session is locked. Sign in again with your passphrase.
error-not_json = The request body must be JSON (Content-Type: application/json). Nothing was changed.
error-entry_conflict = An entry with these exact bytes is already stored under another author or case. Nothing was stored; save the record again to seal a new copy.
error-app_part_unavailable = A part of the app could not be loaded: this device has not opened it while online yet. Connect once, then try again; nothing was lost.
error-duplicate_ids = The request names the same entry more than once. Ask for each entry once; nothing was sent.
error-read_too_large = The entries asked for add up to more than one bulk read sends (64 MiB). Ask for fewer at a time; nothing was sent.
error-no_such_route = No such route: the relay has no API at this address. Check the path and the relay's version.

## Option labels.
channel-office_visit = Office visit
channel-home_visit = Home visit
channel-phone = Phone call
channel-messenger = Messenger (WhatsApp, Telegram)
channel-video_call = Video call
referral_source-self = The family came themselves
referral_source-mahalla = Mahalla
referral_source-school = School or kindergarten
referral_source-hospital = Hospital or clinic
referral_source-police = Police
referral_source-guardianship_body = Guardianship and custody body
referral_source-other_ngo = Another organisation
referral_source-other = Other
country-uz = Uzbekistan
country-kz = Kazakhstan
region-uz-qr = Republic of Karakalpakstan
region-uz-an = Andijan region
region-uz-bu = Bukhara region
region-uz-fa = Fergana region
region-uz-ji = Jizzakh region
region-uz-qa = Kashkadarya region
region-uz-xo = Khorezm region
region-uz-ng = Namangan region
region-uz-nw = Navoi region
region-uz-sa = Samarkand region
region-uz-si = Sirdarya region
region-uz-su = Surkhandarya region
region-uz-to = Tashkent region
region-uz-tk = Tashkent city
region-kz-10 = Abai region
region-kz-11 = Akmola region
region-kz-15 = Aktobe region
region-kz-19 = Almaty region
region-kz-23 = Atyrau region
region-kz-27 = West Kazakhstan region
region-kz-31 = Jambyl region
region-kz-33 = Jetisu region
region-kz-35 = Karaganda region
region-kz-39 = Kostanay region
region-kz-43 = Kyzylorda region
region-kz-47 = Mangystau region
region-kz-55 = Pavlodar region
region-kz-59 = North Kazakhstan region
region-kz-61 = Turkistan region
region-kz-62 = Ulytau region
region-kz-63 = East Kazakhstan region
region-kz-71 = Astana city
region-kz-75 = Almaty city
region-kz-79 = Shymkent city
district-uz-tk-bektemir = Bektemir district
district-uz-tk-chilonzor = Chilanzar district
district-uz-tk-mirobod = Mirabad district
district-uz-tk-mirzo_ulugbek = Mirzo Ulugbek district
district-uz-tk-olmazor = Almazar district
district-uz-tk-sergeli = Sergeli district
district-uz-tk-shayxontohur = Shaykhantakhur district
district-uz-tk-uchtepa = Uchtepa district
district-uz-tk-yakkasaroy = Yakkasaray district
district-uz-tk-yangihayot = Yangihayot district
district-uz-tk-yashnobod = Yashnabad district
district-uz-tk-yunusobod = Yunusabad district
district-uz-sa-samarqand_city = Samarkand city
district-uz-sa-kattaqorgon_city = Kattakurgan city
district-uz-sa-bulungur = Bulungur district
district-uz-sa-ishtixon = Ishtikhan district
district-uz-sa-jomboy = Jambay district
district-uz-sa-kattaqorgon = Kattakurgan district
district-uz-sa-qoshrabot = Koshrabad district
district-uz-sa-narpay = Narpay district
district-uz-sa-nurobod = Nurabad district
district-uz-sa-oqdaryo = Akdarya district
district-uz-sa-pastdargom = Pastdargom district
district-uz-sa-paxtachi = Pakhtachi district
district-uz-sa-payariq = Payarik district
district-uz-sa-samarqand = Samarkand district
district-uz-sa-toyloq = Tayloq district
district-uz-sa-urgut = Urgut district
district-uz-xo-urganch_city = Urgench city
district-uz-xo-xiva_city = Khiva city
district-uz-xo-bogot = Bagat district
district-uz-xo-gurlan = Gurlen district
district-uz-xo-hazorasp = Khazarasp district
district-uz-xo-qoshkopir = Koshkupyr district
district-uz-xo-shovot = Shavat district
district-uz-xo-tuproqqala = Tuprakkala district
district-uz-xo-urganch = Urgench district
district-uz-xo-xiva = Khiva district
district-uz-xo-xonqa = Khanka district
district-uz-xo-yangiariq = Yangiarik district
district-uz-xo-yangibozor = Yangibazar district
district-kz-75-alatau = Alatau district
district-kz-75-almaly = Almaly district
district-kz-75-auezov = Auezov district
district-kz-75-bostandyk = Bostandyk district
district-kz-75-zhetysu = Zhetysu district
district-kz-75-medeu = Medeu district
district-kz-75-nauryzbay = Nauryzbay district
district-kz-75-turksib = Turksib district
district-kz-71-almaty = Almaty district
district-kz-71-baikonyr = Baikonyr district
district-kz-71-yesil = Yesil district
district-kz-71-saryarka = Saryarka district
district-kz-71-nura = Nura district
district-kz-71-saraishyq = Saraishyq district
district-kz-35-karaganda_city = Karaganda city
district-kz-35-temirtau_city = Temirtau city
district-kz-35-balkhash_city = Balkhash city
district-kz-35-saran_city = Saran city
district-kz-35-shakhtinsk_city = Shakhtinsk city
district-kz-35-priozersk_city = Priozersk city
district-kz-35-abai = Abai district
district-kz-35-aktogay = Aktogay district
district-kz-35-bukhar_zhyrau = Bukhar-Zhyrau district
district-kz-35-karkaraly = Karkaraly district
district-kz-35-nura = Nura district
district-kz-35-osakarov = Osakarovka district
district-kz-35-shet = Shet district
housing_type-own_house = Own house
housing_type-own_apartment = Own flat
housing_type-rented = Rented
housing_type-with_relatives = Living with relatives
housing_type-dormitory = Dormitory
housing_type-shelter = Shelter or temporary housing
housing_type-no_housing = No housing
housing_type-other = Other
housing_condition-good = Good
housing_condition-satisfactory = Satisfactory
housing_condition-poor = Poor
housing_condition-unsafe = Unsafe to live in
sex-female = Female
sex-male = Male
relation-head = Head of household
relation-spouse = Spouse
relation-child = Son or daughter
relation-stepchild = Stepson or stepdaughter
relation-grandchild = Grandchild
relation-parent = Mother or father
relation-grandparent = Grandmother or grandfather
relation-sibling = Brother or sister
relation-other_relative = Other relative
relation-guardian = Guardian
relation-foster_child = Child under guardianship
relation-not_related = Not related
citizenship-uz = Uzbekistan
citizenship-kz = Kazakhstan
citizenship-other = Another country
citizenship-stateless = Stateless
document_type-uz_id_card = ID card of Uzbekistan
document_type-uz_passport = Passport of Uzbekistan
document_type-uz_birth_certificate = Birth certificate (Uzbekistan)
document_type-kz_id_card = ID card of Kazakhstan
document_type-kz_passport = Passport of Kazakhstan
document_type-kz_birth_certificate = Birth certificate (Kazakhstan)
document_type-foreign_passport = Foreign passport
document_type-residence_permit = Residence permit
document_type-stateless_certificate = Stateless person's certificate
document_type-no_document = No document
disability_group-group_1 = Group 1
disability_group-group_2 = Group 2
disability_group-group_3 = Group 3
disability_group-disabled_child = Disabled child (under 18)
disability_group-not_assessed = Not yet assessed
activity-home_under_school_age = At home, not yet of school age
activity-kindergarten = Kindergarten
activity-school = School
activity-college = College or lyceum
activity-university = University
activity-out_of_school = School age, not in school
activity-employed = Employed
activity-self_employed = Self-employed
activity-unemployed = Unemployed
activity-caring_at_home = Caring for the family at home
activity-pensioner = Pensioner
activity-other = Other
residence-in_household = In the household
residence-migration_abroad = Working abroad (labour migration)
residence-migration_in_country = Working in another region
residence-institution = In an institution
residence-with_relatives = With relatives
residence-other = Elsewhere
separation_risk-low = Low
separation_risk-medium = Medium
separation_risk-high = High
separation_risk-imminent = Imminent
care_arrangement-both_parents = Both parents
care_arrangement-one_parent = One parent
care_arrangement-relatives = Relatives
care_arrangement-guardian = Guardian
care_arrangement-temporary_care = Temporary care
care_arrangement-institution = An institution
care_arrangement-other = Other
school_attendance-regular = Attends regularly
school_attendance-irregular = Attends irregularly
school_attendance-not_attending = Does not attend
school_attendance-not_of_school_age = Not of school age
risk-low_income = Low income
risk-unemployment = Unemployment
risk-labour_migration = Parent in labour migration
risk-single_parent = Single parent
risk-disability_or_illness = Disability or chronic illness of a child or parent
risk-domestic_violence = Domestic violence or abuse
risk-substance_use = Alcohol or substance use
risk-housing_problem = Housing problem
risk-no_documents = No identity documents
risk-child_out_of_school = Child out of school
risk-family_conflict = Conflict in the family
risk-previous_placement = Previous placement of a child in an institution
risk-other = Other
risk_level-low = Low
risk_level-medium = Medium
risk_level-high = High
risk_level-emergency = Emergency
service-education = Educational support
service-medical = Medical help
service-psychological = Psychological support
service-social = Social support
service-parenting_skills = Parenting skills training
service-vocational_training = Vocational training
service-employment = Help finding work
service-small_business = Help starting a small business
service-legal = Legal accompaniment and protection of rights
service-documents = Help with documents
service-referral = Referral to other organisations
service-day_care = Day-care centre for children
service-temporary_care = Short-term guardianship (temporary care)
service-reunification = Reunification of a child with the family
service-speech_therapy = Speech therapy and defectology
service-material_help = Material help (food, hygiene, utility bills)
service-benefits = Help applying for benefits and allowances
priority-low = Low
priority-normal = Normal
priority-high = High
priority-urgent = Urgent
consenter_role-parent = Parent
consenter_role-legal_guardian = Legal guardian
purpose-case_work = Collection and processing of the family's personal data for case work
purpose-sharing = Sharing with other parties
purpose-photos_audio = Photos and audio recordings
purpose-anonymised_reports = Use in anonymised figures for reports
purpose-cross_border = Transfer of data to another country
purpose-public = Making data public
party-interagency_team = Interagency team
party-mahalla = Mahalla
party-guardianship_body = Guardianship and custody body
party-school = School or kindergarten
party-health_facility = Health facility
party-inson_centre = "{ -inson }" social services centre
party-police = Police (only where the law requires)
party-other_ngo = Another organisation helping the family
data_category-identity = Names, dates of birth, documents
data_category-contacts = Address and phone numbers
data_category-household = Household composition
data_category-documents = Copies of documents
data_category-education = Schooling
data_category-employment = Work
data_category-income = Income and benefits
data_category-health = Health and disability
data_category-private_life = Private and family life
data_category-violence = Violence and abuse
data_category-photos = Photos and recordings
consent_kind-given = Consent given
consent_kind-renewed = Consent renewed
consent_kind-withdrawn = Consent withdrawn
child_assent-assents = The child agrees
child_assent-declines = The child does not agree
child_assent-did_not_express = The child did not express a view
withdrawal_form-oral = Orally
withdrawal_form-written = In writing
media_type-jpeg = JPEG photo
media_type-png = PNG image
media_type-webp = WebP image
media_type-pdf = PDF document
goal_status-not_started = Not started
goal_status-in_progress = In progress
goal_status-achieved = Achieved
goal_status-not_achieved = Not achieved
goal_status-dropped = Dropped
referral_status-sent = Sent
referral_status-accepted = Accepted
referral_status-service_received = Service received
referral_status-declined = Declined
closure_outcome-situation_recovered = The family's situation recovered
closure_outcome-child_returned = Child returned to the family
closure_outcome-moved = The family moved away
closure_outcome-transferred = Transferred to another service
closure_outcome-family_declined = The family declined further help
closure_outcome-other = Other

## The caseworker's workspace: its parts and the current case.
workspace-parts = Parts of the workspace
workspace-part-intake = New family
workspace-part-case = Current case
workspace-part-cases = My cases
workspace-part-outbox = Outbox
workspace-part-account = Account
workspace-no_case = No case is open. Save a new family's intake, or continue one of your cases from “My cases”.
workspace-print = Consent for printing
workspace-case_forms = Forms of this case

# Helper D: loading a key, idle lock, re-sealing (issue 5)
key-drop = Drop your identity file here, or press to choose it
key-drop_active = Release to load the identity file
key-protected = This identity file is protected by a passphrase (made with age -p). Type its passphrase to open it.
key-passphrase = Passphrase of the identity file
key-open = Open the identity file
key-working = Opening the identity file… This takes a few seconds.
key-cancel = Cancel
key-cancelled = Opening the identity file was cancelled. No key was loaded.
key-forgotten_idle = The key was forgotten after { $minutes } { $minutes ->
    [one] minute
   *[other] minutes
} without use. Load it again to continue.
key-forgotten_hidden = The key was forgotten because the page was left. Load it again to continue.
reseal-title = Re-seal to the current keyring
reseal-hint = Entries sealed to an older keyring are opened and sealed again, with a fresh file key, to every key holder of the current signed keyring, then uploaded as superseding entries. Entries this key cannot open are left as they are. An administrator can then remove the superseded ones.
reseal-start = Re-seal to current keyring
reseal-progress = Cases checked: { $done } of { $total }
reseal-kept_for_signed = { $kept } { $kept ->
    [one] attachment was
   *[other] attachments were
} not re-sealed: documents signed by their authors name { $kept ->
    [one] it
   *[other] them
}, and moving { $kept ->
    [one] it
   *[other] them
} would break those signatures. { $kept ->
    [one] It stays
   *[other] They stay
} sealed to the old keyring, so a removed key holder may still open { $kept ->
    [one] it
   *[other] them
}; the other entries were re-sealed.
reseal-done = Re-sealed { $resealed } { $resealed ->
    [one] entry
   *[other] entries
}; { $current } { $current ->
    [one] was
   *[other] were
} already sealed to keyring version { $version }; { $skipped } could not be opened and { $skipped ->
    [one] was
   *[other] were
} left as { $skipped ->
    [one] it is
   *[other] they are
}.
error-identity_passphrase_wrong = This passphrase does not open the identity file. Check the keyboard language and Caps Lock, then type it again.
error-identity_too_costly = This identity file's passphrase protection asks for more work than the browser can do (scrypt work factor over 20; age -p writes 18). Make it again with age -p.

## The privacy officer's page (/privacy): this device, the relay, the app itself.
privacy-title = Privacy check
privacy-intro = This page looks at what this browser keeps, at what the relay holds and at the app's own files. It changes nothing.
privacy-device-title = This device
privacy-device-hint = Reads every database, cache and storage this site has in this browser. Nothing read leaves the page, and no sign-in is needed.
privacy-device-scan = Scan this device
privacy-device-scanning = Reading { $place }…
privacy-device-done = Scan finished. Values that should not be here: { $else }.
privacy-kind-ciphertext = Sealed (age ciphertext)
privacy-kind-envelope = Allowed envelope fields
privacy-kind-app_file = Files of this app
privacy-kind-else = Anything else
privacy-device-counts = What this device keeps
privacy-col-kind = Kind
privacy-col-count = Values
privacy-device-clean = Nothing readable was found: every value is sealed, an allowed envelope field or a file of this app.
privacy-device-else = Values that should not be here
privacy-col-place = Where
privacy-col-key = Key
privacy-col-field = Field
privacy-col-preview = First characters
privacy-device-httponly = The relay's session cookie is HttpOnly: no script, this page included, can see it. It holds only a random session id.
privacy-device-no_hashes = The list of the app's files could not be fetched, so cached files could not be recognised.
privacy-device-unreadable = Could not be read
privacy-places = By place
privacy-relay-title = The relay
privacy-relay-hint = Sign in as privacy officer to check the relay.
privacy-relay-run = Check the relay again
privacy-relay-step-verification = The relay is checking every entry…
privacy-relay-step-keyring = Checking the keyring's signature…
privacy-relay-step-entries = Reading the list of entries…
privacy-relay-step-audit = Reading the audit log…
privacy-relay-all_pass = Every check of the relay passes.
privacy-relay-some_fail = Some checks of the relay fail: see below.
privacy-checks = Checks
privacy-check-headers = Every entry is a valid age file of its recorded size and hash ({ $passed } of { $entries })
privacy-check-stanzas = Every entry is sealed to at least the keyring's { $size } { $size ->
    [one] recipient
   *[other] recipients
} (fewest: { $fewest })
privacy-check-audit = The audit log's hash chain is intact ({ $events } { $events ->
    [one] event
   *[other] events
})
privacy-check-audit_broken = The audit log's hash chain is broken: { $why }
privacy-check-keyring-pinned = The keyring's signature verifies against the organisation key this device trusts
privacy-check-keyring-own = The keyring's signature verifies against the key that signed it; this device trusts no key yet, so compare that key's fingerprint in person
privacy-check-keyring-failed = The keyring is refused: { $why }
privacy-check-listing = The list of entries holds { $entries ->
    [one] the entry
   *[other] all { $entries } entries
} checked ({ $listed } listed)
privacy-pass = Passes
privacy-fail = Fails
privacy-audit-head = Latest audit hash (keep a copy elsewhere):
privacy-audit-rewritten = Alarm: the relay's audit log was rewritten since { $time }. Event { $seq }, which this browser verified then, is gone or changed, so events were deleted or altered and the chain recomputed. Do not trust this relay's log; report it to your organisation's security contact now.
privacy-audit-kept = Audit head kept by this browser: event { $seq }, hash { $hash }…, kept { $time }. Compare it with what `amanat audit head` prints.
privacy-failing-entries = Entries that fail
privacy-col-entry = Entry
privacy-col-why = Why
privacy-entries-total = Entries on the relay: { $count }
privacy-entries-by-month = Entries by month received
privacy-col-month = Month
privacy-col-entries = Entries
privacy-audit-by-action = Audit events by kind
privacy-col-action = Event
privacy-col-events = Events
privacy-keyring-title = Key holders (keyring version { $version })
privacy-keyring-signer = Signed by the organisation key with the fingerprint
privacy-keyring-compare = Compare each fingerprint with its key holder in person, or with the output of amanat keyring show on the administrator's computer.
privacy-keyring-holders = Key holders and their fingerprints
privacy-col-label = Name
privacy-col-role = Role
privacy-col-fingerprint = Fingerprint
privacy-col-recipient = Public key
privacy-role-adviser = Legal adviser
privacy-role-recovery = Recovery key
privacy-app-title = The app itself
privacy-app-hint = Fetches the release's list of file hashes and every file it names, and computes each file's SHA-256 in this browser.
privacy-app-run = Check the app's files
privacy-app-checking = Checking file { $done } of { $count }…
privacy-app-all_match = { $count ->
    [one] The app's only file matches
   *[other] All { $count } files match
} the release's hashes.
privacy-app-mismatch = { $bad } of { $count } { $count ->
    [one] file does
   *[other] { $bad ->
        [one] files does
       *[other] files do
    }
} not match the release's hashes.
privacy-app-no_list = The release's list of file hashes could not be fetched. Check the connection and try again.
privacy-app-list_hash = SHA-256 of the list itself (compare it with the release's copy):
privacy-app-signed = The list of files is signed by the organisation key built into this app: it is the organisation's release.
privacy-app-not_pinned = This is a demo build: no organisation key is built in, so the list's signature cannot be checked. Compare the list's SHA-256 with the release's copy by hand.
privacy-app-files = Files of the app
privacy-col-file = File
privacy-col-result = Result
privacy-match = Matches
privacy-mismatch = Does not match
privacy-unreachable = Could not be fetched

## The adviser's find, export, print view and indicators (issue 5).
find-title = Find a case
find-search = Search
find-search_hint = Family or member name, document number, district or mahalla — in Latin or Cyrillic letters. Searched only in this page's memory.
find-family_name = Family name
find-child_name = Child's name
find-document_number = Document number
find-region_label = Region
find-risk_factor = Risk factor
find-service_label = Service
find-consent_label = Consent
find-status_label = Status
find-any = Any
find-count = Cases found: { $count } of { $total }
find-shown = (the first { $shown } are listed)
find-select = Select { $case } for export
find-select_all = Select all found
find-select_none = Clear selection
find-chosen = The chosen case
find-close = Close the case
find-attachments = Photos and scans
find-attachment-show = Show
find-attachment-download = Download
find-attachment-close = Close
find-attachment-warning = The PDF will be saved on this computer unencrypted. Anyone who gets the file or the computer can read it. Keep it only on an encrypted drive, never on a shared computer, e-mail or messenger, and delete it when you are done.
find-attachment-confirm = I understand, download
find-attachment-cancelled = Nothing was downloaded.
find-attachment-done = The PDF is in this computer's downloads, unencrypted. Delete it when you are done.
find-consent-granted = Consent to case work given
find-consent-not_asked = No consent recorded
find-consent-refused = Consent refused
find-consent-withdrawn = Consent withdrawn
find-consent-expired = Consent expired
find-status-open = Open
find-status-closed = Closed
export-csv = Export CSV of selected cases
export-zip = Download sealed entries (zip)
export-selected = Selected: { $count }
export-warning-title = This file will not be encrypted
export-warning-text = The CSV holds the families' names, documents and situation in plain text. Anyone who gets the file or the computer can read it. Save it only to an encrypted drive, never to a shared computer, e-mail or messenger, and delete it when you are done.
export-confirm = I understand, export
export-cancel = Cancel
export-cancelled = Nothing was exported.
export-csv_done = CSV of { $count } { $count ->
    [one] case
   *[other] cases
} handed to the browser as a download. It is not encrypted.
export-zip_done = { $count ->
    [one] { $count } sealed entry handed to the browser as a zip. It opens only with a key holder's identity (age -d -i).
   *[other] { $count } sealed entries handed to the browser as a zip. They open only with a key holder's identity (age -d -i).
}
export-failed = The browser refused the download. Try again.
export-none_selected = Select at least one case first.
export-code = { $column } (code)
export-col-case = Case id
export-col-family_name = Family name
export-col-region = Region
export-col-district = District
export-col-place = District or mahalla as typed
export-col-members = Household members
export-col-children = Children
export-col-documents = Document numbers
export-col-risk_factors = Risk factors
export-col-risk_level = Risk level
export-col-services = Services
export-col-consent = Consent
export-col-status = Status
export-col-intake_date = Intake date
export-col-closure_date = Closure date
export-col-outcome = Outcome
export-col-author_status = Authorship
indicators-title = Programme indicators
indicators-from = From
indicators-to = To
indicators-group = Areas
indicators-by_region = By region
indicators-by_city = By city or district
indicators-families_served = Families served
indicators-children_served = Children served
indicators-children_returned = Children returned to their family
indicators-families_exited = Families exited (situation recovered)
indicators-total = All areas
indicators-area-unknown = Region not recorded
indicators-not_counted = Families left out because they did not allow anonymised figures: { $count }
indicators-chart-served_by_area = Families served by area
indicators-chart-services = Services delivered by type
indicators-chart-served_by_month = Families served by month
indicators-by_area = Figures by area
indicators-col-breakdown = Breakdown
indicators-col-code = Code
indicators-col-label = Area or month
indicators-col-from = Period from
indicators-col-to = Period to
indicators-export = Export figures (CSV, no names)
indicators-exported = The figures were handed to the browser as a CSV download.
indicators-suppression = The CSV holds only counts by area and month. Counts of 1 or 2 are written as <3 (and, where one alone would be hidden, the next smallest too), so a small district does not point at one family.
print-open = Print view of the case file
print-close = Back to the case
print-print = Print
print-title = Case file
print-confidential = Confidential
print-printed_on = Printed { $date }
print-page_of = Page { $page } of { $pages }

# Opening entries in workers (adviser page)
open-progress = Opening entries
open-progress_text = { $done } of { $listed } { $listed ->
    [one] entry
   *[other] entries
} handled
open-opened = Opened
open-not_for_key = Not for this key
open-failed_integrity = Failed integrity check
open-unreadable = Opened but unreadable
open-not_fetched = Could not fetch
open-cases_shown = Showing { $shown } of { $total } { $total ->
    [one] case
   *[other] cases
}
open-more_cases = Show more cases
open-workers_failed = The page could not start its opening workers: { $reason }
account-author-title = Your author key
account-author-fingerprint = Fingerprint
account-author-hint = Every entry you save is signed with this key. Your administrator approves it after comparing this fingerprint with you in person; until then your entries are shown as “author not yet approved”.

## Trust: demo builds, keyring freshness, re-seal only forward.
demo-build-banner = Demo build: this app was not built for an organisation and trusts the first keyring it sees. Do not enter real families' details.
privacy-check-build-pinned = This app was built for one organisation: it trusts only the organisation key compiled into it
privacy-check-build-demo = Demo build: no organisation key was compiled in, so this app trusts the first keyring it sees and a relay could put its own in its place. Do not use it for real families; build it with cargo xtask build --org-key org.pub
reseal-first_use = Re-seal does not run in a demo build: this device trusts the organisation key only because the relay showed it first, and re-sealing every entry to a keyring the relay chose could hand the relay every record. Use an app built for your organisation.
reseal-ahead = { $count ->
    [one] 1 entry is sealed to a newer keyring than the current version { $version }; it was left alone.
   *[other] { $count } entries are sealed to a newer keyring than the current version { $version }; they were left alone.
} The relay may be serving an old keyring: report this to your privacy officer.
keyring-expires_soon = { $days ->
    [0] The keyring expires today.
    [one] The keyring expires in 1 day.
   *[other] The keyring expires in { $days } days.
} Ask your administrator to renew it (amanat keyring renew) before then: once it has expired, nothing can be saved on this device until it is renewed.

## Lawful basis, named sharing, transfers, expiring consent, the law cited (issue 16)
section-basis = Lawful basis for processing
field-basis-ground = On what basis are this family's data processed?
help-basis-ground = Health, disability and violence details stay closed until the family's consent to case work is recorded on the case, or you record the legal basis that allows work without it.
field-basis-reason = Why this basis applies
help-basis-reason = What happened and who asked, in a sentence or two. It is sealed with the intake.
lawful_ground-consent = The family's consent to case work
lawful_ground-child_in_danger = A child's life or health is in immediate danger
lawful_ground-legal_duty = A duty under the law (request of the guardianship body, a court or the commission on minors)
problem-consent_first = Record the family's consent to case work first, or choose the legal basis that allows work without it.
problem-special_data_closed = Health, disability and violence details need the family's consent or a recorded legal basis first.
problem-organisation_required = Name the organisation the family agrees to share with.
intake-special_closed = Health, disability and violence details open once the family's consent or a legal basis is recorded.
intake-consent_first = Record the family's consent first
intake-consent_of = The family consented to case work on { $date }.
intake-for_case = This intake goes into the case opened with the family's consent.
case-no_intake = This case has the family's consent but no intake yet.
case-fill_intake = Fill in the family's intake
party-akimat = Akimat (local executive body)
party-family_support_centre = Family support centre
field-decisions-organisation = Name of the organisation
field-transferred_to = Transferred to
consent-expiring = The family's consent ends on { $date }. Renew it with the family before then.
consent-renew = Renew the consent
cases-consent_expiring = Consent ends on { $date }
consent-law-uz = This consent is given under the Law of the Republic of Uzbekistan "On Personal Data" No. ZRU-547 of 2 July 2019 and Ministry of Justice order No. 3478 of 2023.
consent-law-kz = This consent is given under article 8 of the Law of the Republic of Kazakhstan "On Personal Data and Their Protection" No. 94-V of 21 May 2013.
basis-consent_day = Consent given on

## s9-relay: the relay's head guard.
error-request_head_too_large = The request's headers are too large or too many (at most 16 KiB and 64 fields unless configured otherwise). Nothing was changed; send fewer or shorter headers.

# s9-settings: the organisation's signed settings (issue 16)
error-settings_malformed = The organisation's settings are damaged or not settings at all. Consent cannot be recorded until they are; ask the administrator to install the organisation's signed settings (amanat settings install).
error-settings_bad_signature = The organisation's settings were changed after they were signed. Consent cannot be recorded with them; what you typed is kept. Report this to your privacy officer.
error-settings_wrong_signer = The organisation's settings are signed by a different key than this device trusts. Consent cannot be recorded with them; what you typed is kept. Report this to your privacy officer.
error-settings_rollback = The relay served older organisation settings than this device has already seen. Consent cannot be recorded with them; what you typed is kept. Report this to your privacy officer.
error-settings_missing = The organisation's settings (its legal details for the consent form) are not installed yet. Consent cannot be recorded until they are; ask the administrator to install the organisation's settings.
error-settings_invalid = The organisation's settings are signed but break a rule (a missing operator name, a wrong tax number, or a retention period or assent age out of range). Consent cannot be recorded with them; ask the administrator to correct and sign them again.
problem-assent_age_invalid = The child assent age must be between 5 and 17.
consent-operator-signed = These details come from the organisation's signed settings and cannot be changed on the form.
consent-settings-loading = Loading the organisation's settings…

# Attachments vouched for by the signed record that names their bytes (session 10)
attachment-vouched = named by a record of a verified author
attachment-unvouched = named by no record of a verified author: do not rely on it
attachment-missing = A record of a verified author names a scan that is not in this case file.
