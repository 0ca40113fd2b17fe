"""The community: members, what they write, how they react, and how it is moderated.

Kept apart from clinical records (ADR 0018): nothing here refers to a patient, a clinic's record or the
registry, and `smanav.community` may not import those apps (`.importlinter`). A member is a community
identity of an account (`accounts.User`), with a display name and only the details about SMA that the
member chose to share, each with its own "show it" switch.

Statuses are the only way something is hidden: a post or comment is never deleted by a moderator, only
hidden with a reason (kept for the audit of moderator actions); a member who deletes their account
chooses whether their posts are removed or kept without their name (`author` empty).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Relation(models.TextChoices):
    PERSON_WITH_SMA = "person_with_sma", _("I have SMA")
    PARENT = "parent", _("Parent or carer of someone with SMA")
    PARTNER = "partner", _("Partner of someone with SMA")
    SIBLING = "sibling", _("Brother or sister of someone with SMA")
    CLINICIAN = "clinician", _("Clinician")
    RESEARCHER = "researcher", _("Researcher")
    OTHER = "other", _("Other")


class SmaType(models.TextChoices):
    TYPE_0 = "0", _("Type 0")
    TYPE_1 = "1", _("Type 1")
    TYPE_2 = "2", _("Type 2")
    TYPE_3 = "3", _("Type 3")
    TYPE_4 = "4", _("Type 4")
    PRESYMPTOMATIC = "presymptomatic", _("Found by newborn screening, before symptoms")
    NOT_SURE = "not_sure", _("Not sure")


class AgeBand(models.TextChoices):
    UNDER_2 = "under_2", _("Under 2")
    AGE_2_5 = "2_5", _("2 to 5")
    AGE_6_12 = "6_12", _("6 to 12")
    AGE_13_17 = "13_17", _("13 to 17")
    AGE_18_29 = "18_29", _("18 to 29")
    AGE_30_49 = "30_49", _("30 to 49")
    AGE_50_PLUS = "50_plus", _("50 or older")


class TrustLevel(models.IntegerChoices):
    """New members' posts wait for a moderator; trusted members may add links and pictures freely."""

    NEW = 0, _("New member")
    MEMBER = 1, _("Member")
    TRUSTED = 2, _("Trusted member")


class Member(models.Model):
    """The community identity of an account. Created when the account joins the community (accepting
    the guidelines); the account's clinical records never show here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_member"
    )
    display_name = models.CharField(_("display name"), max_length=50)
    # Lower-cased display name: names are unique whatever their capitals.
    name_key = models.CharField(max_length=50, unique=True)
    about = models.TextField(_("about me"), max_length=2000, blank=True)
    photo = models.ForeignKey("Picture", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    relation = models.CharField(_("relation to SMA"), max_length=20, choices=Relation.choices, blank=True)
    show_relation = models.BooleanField(default=False)
    sma_type = models.CharField(_("SMA type"), max_length=20, choices=SmaType.choices, blank=True)
    show_sma_type = models.BooleanField(default=False)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices, blank=True)
    show_age_band = models.BooleanField(default=False)
    # Treatment names as the member chose them from a list (never read from a clinical record).
    treatments = models.JSONField(default=list, blank=True)
    show_treatments = models.BooleanField(default=False)
    # "Members like me": matched only on the details above that the member shows, and only if on.
    matching_opt_in = models.BooleanField(default=False)
    # What happens to the member's posts and replies when they leave, or their account is deleted:
    # removed, or (the default) kept without their name.
    remove_posts_on_leaving = models.BooleanField(default=False)
    guidelines_version = models.CharField(max_length=20)
    guidelines_accepted_at = models.DateTimeField()
    trust_level = models.PositiveSmallIntegerField(choices=TrustLevel.choices, default=TrustLevel.NEW)
    # A moderator set the level by hand (audited): it stays as set, no longer rising by itself.
    trust_by_hand = models.BooleanField(default=False)
    # Volunteers of the welcoming committee see new members to greet.
    is_welcomer = models.BooleanField(default=False)
    welcomed_at = models.DateTimeField(null=True, blank=True)
    welcomed_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A silenced member may read but not write; a suspended member may not sign in to the community.
    silenced_until = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class Moderator(models.Model):
    """A member who moderates: granted on the server's command line, every grant audited."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="moderator")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.member} (moderator)"


class Topic(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Picture(models.Model):
    """A picture a member uploaded: checked, re-encoded (which strips EXIF and location), resized. The
    bytes are stored in the database so that a backup of the database holds every picture."""

    owner = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="pictures")
    content_type = models.CharField(max_length=30)
    data = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(_("description of the picture"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"picture {self.pk} ({self.width}x{self.height})"


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    PUBLISHED = "published", _("Published")
    # Hidden by flags until a moderator decides, or by a moderator with a reason.
    HIDDEN = "hidden", _("Hidden")
    # Removed by its author (or with the author's account); kept as a row so replies keep their place.
    REMOVED = "removed", _("Removed")


class PostKind(models.TextChoices):
    DISCUSSION = "discussion", _("Post")
    QUESTION = "question", _("Question")


class Post(models.Model):
    # Empty when the author deleted their account and chose to keep their posts without their name.
    author = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(max_length=12, choices=PostKind.choices, default=PostKind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    # Markdown as the member wrote it; `body_html` is what it renders to, sanitised (never trusted raw).
    body = models.TextField(_("text"), blank=True)
    body_html = models.TextField(blank=True)
    picture = models.ForeignKey(Picture, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    status_reason = models.CharField(max_length=300, blank=True)
    accepted_answer = models.ForeignKey(
        "Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "What the sources say": the path of a cited smanav page (a library article) that the author or a
    # moderator linked under the post, checked to be one of ours (`services.moderation`).
    sources_path = models.CharField(_("what the sources say"), max_length=300, blank=True)
    # The composer's token: the same submission sent twice is saved once.
    submission_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    comment_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="community_post_submitted_once"
            ),
            models.CheckConstraint(
                condition=~Q(body="") | Q(picture__isnull=False), name="community_post_text_or_picture"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-last_activity_at", "-id"], name="community_post_feed"),
            models.Index(fields=["topic", "status", "-last_activity_at", "-id"], name="community_post_topic"),
            models.Index(fields=["author", "-created_at"], name="community_post_author"),
            # The feed and topic pages show published posts and the reader's own pending ones (an OR
            # on status): these let PostgreSQL walk in page order instead of sorting every post.
            models.Index(fields=["-last_activity_at", "-id"], name="community_post_activity"),
            models.Index(fields=["topic", "-last_activity_at", "-id"], name="community_post_topic_activity"),
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # A reply to another comment of the same post (threaded), or to the post itself.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField(_("reply"))
    body_html = models.TextField(blank=True)
    sources_path = models.CharField(_("what the sources say"), max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    status_reason = models.CharField(max_length=300, blank=True)
    submission_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    reaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="community_comment_submitted_once"
            ),
        ]
        indexes = [models.Index(fields=["post", "created_at", "id"], name="community_comment_post")]

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.post_id}"


class Revision(models.Model):
    """What a post or reply said before its author edited it. Moderators read the history; members see
    only that it was edited. Removed with the post or reply when its author removes it."""

    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    # Where it stood before the edit (an edit of a hidden or waiting one goes back to a moderator).
    status = models.CharField(max_length=12, choices=Status.choices)
    # When the replaced text was written (the post's creation or its previous edit), and replaced.
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="community_revision_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"revision of {self.post_id or self.comment_id} replaced {self.replaced_at:%Y-%m-%d %H:%M}"


class ReactionKind(models.TextChoices):
    HUG = "hug", _("Hug")
    LIKE = "like", _("Like")
    HELPFUL = "helpful", _("Helpful")


class Reaction(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="reactions")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="community_reaction_one_target",
            ),
            models.UniqueConstraint(
                fields=["member", "post", "kind"],
                condition=Q(post__isnull=False),
                name="community_reaction_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["member", "comment", "kind"],
                condition=Q(comment__isnull=False),
                name="community_reaction_once_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.member_id}"


class Draft(models.Model):
    """What a member is writing, saved on the server as they type: a new post (no `post`), or a reply to
    a post (`post`, and `parent` for a reply to a comment). One draft per member and place."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="drafts")
    # Where the draft belongs: "post" for a new post, "reply:<post id>" or "reply:<post id>:<comment id>".
    place = models.CharField(max_length=60)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=PostKind.choices, blank=True)
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    picture = models.ForeignKey(Picture, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "place"], name="community_draft_one_per_place")
        ]

    def __str__(self) -> str:
        return f"draft of {self.member_id} at {self.place}"


class FollowKind(models.TextChoices):
    FOLLOW = "follow", _("Follow")
    MUTE = "mute", _("Mute")
    BLOCK = "block", _("Block")


class MemberLink(models.Model):
    """One member following, muting or blocking another. A block is both ways: neither sees the other's
    posts, replies or profile, and neither can reply to or mention the other."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="linked_by")
    kind = models.CharField(max_length=10, choices=FollowKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "other", "kind"], name="community_link_once"),
            models.CheckConstraint(condition=~Q(member=models.F("other")), name="community_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.other_id}"


class TopicFollow(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="followed_topics")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "topic"], name="community_topic_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.topic_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    UNKIND = "unkind", _("Unkind or abusive")
    MISINFORMATION = "misinformation", _("Medical misinformation")
    CONTACT_DETAILS = "contact_details", _("Shares someone's personal contact details")
    SELF_HARM = "self_harm", _("Someone may be at risk of harming themselves")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    reporter = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="flags_made")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(_("what is wrong"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a moderator decided on the post or comment this flag was about.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="community_flag_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "post"], condition=Q(post__isnull=False), name="community_flag_once_post"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(comment__isnull=False),
                name="community_flag_once_comment",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="community_flag_open")]

    def __str__(self) -> str:
        return f"flag {self.reason} by {self.reporter_id}"


class ModerationKind(models.TextChoices):
    APPROVE = "approve", _("approved")
    HIDE = "hide", _("hid")
    RESTORE = "restore", _("restored")
    WARN = "warn", _("warned")
    SILENCE = "silence", _("silenced")
    SUSPEND = "suspend", _("suspended")
    LIFT = "lift", _("lifted a silence or suspension of")
    TRUST = "trust", _("changed the trust level of")
    MODERATOR_GRANTED = "moderator_granted", _("made a moderator")
    MODERATOR_REVOKED = "moderator_revoked", _("ended the moderator role of")
    WATCHED_WORD = "watched_word", _("changed the watched words")
    SOURCES = "sources", _("linked what the sources say under")


class Guideline(models.TextChoices):
    """The parts of the community guidelines (`community/members/guidelines.html`, each a heading with
    this value as its anchor) that a moderator's decision is judged against; the member is told which."""

    BE_KIND = "be-kind", _("Be kind")
    EXPERIENCE = "experience-not-advice", _("Share experience, not medical advice")
    PRIVATE = "private-details", _("Keep private details private")
    NO_SELLING = "no-selling", _("No selling")
    AT_RISK = "at-risk", _("If someone may be at risk")


class ModerationAction(models.Model):
    """Every moderator action, with its reason: only ever added to."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Empty for an action of the server's command line; `moderator_label` keeps who it was.
    moderator = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_actions"
    )
    moderator_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ModerationKind.choices)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    # The part of the guidelines a decision on a post or reply was judged against (empty: none named).
    guideline = models.CharField(max_length=30, choices=Guideline.choices, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.moderator_label} {self.kind}"


class WatchedWordAction(models.TextChoices):
    # The post or comment waits for a moderator.
    REVIEW = "review", _("Hold for a moderator")
    # The post or comment is refused with a message.
    BLOCK = "block", _("Refuse")


class WatchedWord(models.Model):
    word = models.CharField(max_length=100, unique=True)
    action = models.CharField(max_length=10, choices=WatchedWordAction.choices)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.word


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("Replies to my posts and comments")
    MENTION = "mention", _("Mentions of my name")
    REACTION = "reaction", _("Reactions to what I wrote")
    ACCEPTED = "accepted", _("My answer was accepted")
    WELCOME = "welcome", _("Welcome messages")
    MODERATION = "moderation", _("Messages from the moderators")
    # Not a notification of its own: the preference for the weekly e-mail of followed topics and of
    # what happened to one's posts (`notifications.DEFAULTS`).
    DIGEST = "digest", _("The weekly digest")


class Notification(models.Model):
    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    actor = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="community_notice_inbox")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """Per member and kind: on the site, by e-mail now, or in the weekly digest. No row: the defaults
    in `notifications.DEFAULTS`."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    on_site = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    digest = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="community_preference_once")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}"


class Digest(models.Model):
    """A weekly digest sent to a member: one per member and week, so the job can run twice or late."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="digests")
    # The Monday of the week the digest covers (the seven days before it).
    week_of = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "week_of"], name="community_digest_once")]

    def __str__(self) -> str:
        return f"digest of {self.week_of} for {self.member_id}"
