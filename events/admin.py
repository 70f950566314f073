"""The staff's admin of events: events with their sessions and resources inline, registrations and the
waiting list (read here, changed only through `events.services`), and links to the day's tools
(check-in list, badges, exports)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from joinforces.core.services import audit
from joinforces.core.uploads import DOCUMENT_KINDS, CheckedFileField

from . import services
from .models import Event, Registration, Resource, Session, SessionChoice, WaitingListEntry
from .selectors import with_places

Status = Registration.Status


class SessionInline(admin.TabularInline):
    """The programme at a glance; a session's descriptions are edited on its own page (the link)."""

    model = Session
    extra = 1
    show_change_link = True
    fields = ["title", "title_en", "starts_at", "ends_at", "room", "speaker", "capacity"]


class ResourceForm(forms.ModelForm):
    """A file is checked by its content and size, like every upload."""

    file = CheckedFileField(label=_("file"), kinds=DOCUMENT_KINDS, required=False)

    class Meta:
        model = Resource
        fields = ["event", "session", "kind", "title", "title_en", "url", "file"]

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("file") and not (self.instance.pk and self.instance.file):
            raise forms.ValidationError(_("Give the resource a link or a file."))
        return data


class ResourceInline(admin.TabularInline):
    model = Resource
    form = ResourceForm
    extra = 0
    fields = ["kind", "title", "title_en", "session", "url", "file", "published", "published_at"]
    readonly_fields = ["published", "published_at"]
    verbose_name_plural = _("resources (publish them from the list of resources: registrants are told once)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            event_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Session.objects.filter(event_id=event_id) if event_id else Session.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "format", "published", "places", "waiting", "checked_in", "tools"]
    list_filter = ["published", "format"]
    search_fields = ["title", "title_en", "venue"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    inlines = [SessionInline, ResourceInline]
    actions = ["anonymise"]
    readonly_fields = ["tools", "resources_announced_at", "anonymised_at"]
    fieldsets = [
        (None, {"fields": ["title", "title_en", "slug", "description", "description_en", "published"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "format", "venue", "address", "online_url"]}),
        (_("Registration"), {"fields": ["registration_opens_at", "registration_closes_at", "capacity"]}),
        (_("The day and after"), {"fields": ["tools", "retention_days", "resources_announced_at",
                                              "anonymised_at"]}),
    ]

    def get_queryset(self, request):
        return with_places(super().get_queryset(request)).annotate(
            checked_count=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED,
                                                          registrations__checked_in_at__isnull=False)))

    @admin.display(description=_("registered / capacity"), ordering="confirmed")
    def places(self, obj):
        return f"{obj.confirmed} / {obj.capacity}"

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description=_("checked in"), ordering="checked_count")
    def checked_in(self, obj):
        return obj.checked_count

    @admin.display(description=_("the day's tools"))
    def tools(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("events:checkin_list", args=[obj.slug]), _("Check-in list"),
            reverse("events:badges", args=[obj.slug]), _("Badges (PDF)"),
            reverse("events:exports", args=[obj.slug]), _("Exports (CSV)"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(actor=request.user, action="events.event_saved", target=obj,
                       after={"changed": form.changed_data})

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Session and formset.has_changed():
            # A session made larger frees places: offer them to the waiting list.
            services.event_places_refresh(event=form.instance)

    @admin.action(description=_("Anonymise the registrants (after the retention period)"))
    def anonymise(self, request, queryset):
        for event in queryset:
            try:
                count = services.event_anonymise(event=event, actor=request.user)
            except services.EventError as error:
                self.message_user(request, f"{event}: {error.message}", level=messages.ERROR)
            else:
                self.message_user(request, _("%(event)s: %(count)d registration(s) anonymised.")
                                  % {"event": event, "count": count})


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    fields = ["event", "title", "title_en", "starts_at", "ends_at", "room", "speaker", "capacity", "description",
              "description_en"]
    list_display = ["title", "event", "starts_at", "ends_at", "room", "speaker", "registered", "capacity",
                    "waiting"]
    list_filter = ["event"]
    search_fields = ["title", "title_en", "speaker", "room"]
    list_select_related = ["event"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            chosen=Count("choices", filter=Q(choices__registration__status=Status.CONFIRMED), distinct=True),
            waiting_count=Count("waiting_list", filter=Q(waiting_list__status__in=services.LIVE), distinct=True))

    @admin.display(description=_("registered"), ordering="chosen")
    def registered(self, obj):
        return obj.chosen

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(actor=request.user, action="events.session_saved", target=obj, after={"changed": form.changed_data})
        # A larger session frees places: offer them to its waiting list.
        services.event_places_refresh(event=obj.event)

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count


class SessionChoiceInline(admin.TabularInline):
    model = SessionChoice
    extra = 0
    fields = ["session", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations are made by the people themselves (or at the desk); staff read them here, cancel
    or check in by actions."""

    list_display = ["full_name", "email", "organisation", "event", "status", "session_count", "checked_in_at"]
    list_filter = ["event", "status", CheckedInFilter]
    search_fields = ["first_name", "last_name", "email", "organisation"]
    list_select_related = ["event"]
    inlines = [SessionChoiceInline]
    actions = ["check_in", "cancel"]
    fields = ["event", "first_name", "last_name", "email", "organisation", "user", "language", "status",
              "created_at", "confirmed_at", "cancelled_at", "checked_in_at", "checked_in_by", "anonymised"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sessions_count=Count("choices"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("sessions"), ordering="sessions_count")
    def session_count(self, obj):
        return obj.sessions_count

    def _each(self, request, queryset, work, done):
        count = 0
        for registration in queryset:
            try:
                if work(registration):
                    count += 1
            except services.EventError as error:
                self.message_user(request, f"{registration.full_name}: {error.message}", level=messages.ERROR)
        self.message_user(request, done % {"count": count})

    @admin.action(description=_("Check in"), permissions=["view"])
    def check_in(self, request, queryset):
        self._each(request, queryset, lambda r: services.registration_check_in(registration=r, actor=request.user)[1],
                   _("%(count)d person(s) checked in."))

    @admin.action(description=_("Cancel the registration (the place goes to the waiting list)"),
                  permissions=["view"])
    def cancel(self, request, queryset):
        self._each(request, queryset.exclude(status=Status.CANCELLED),
                   lambda r: services.registration_cancel(registration=r, actor=request.user),
                   _("%(count)d registration(s) cancelled."))


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "email", "event", "session", "status", "created_at",
                    "offer_expires_at"]
    list_filter = ["event", "status", ("session", admin.EmptyFieldListFilter)]
    search_fields = ["first_name", "last_name", "email", "organisation"]
    list_select_related = ["event", "session"]
    readonly_fields = ["event", "session", "registration", "first_name", "last_name", "email", "organisation",
                       "status", "created_at", "offered_at", "offer_expires_at", "closed_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    form = ResourceForm
    list_display = ["title", "event", "session", "kind", "published", "published_at"]
    list_filter = ["event", "kind", "published"]
    search_fields = ["title", "title_en"]
    list_select_related = ["event", "session"]
    fields = ["event", "session", "kind", "title", "title_en", "url", "file", "published", "published_at"]
    readonly_fields = ["published", "published_at"]
    actions = ["publish"]

    @admin.action(description=_("Publish on the event's page (registrants are told the first time)"),
                  permissions=["change"])
    def publish(self, request, queryset):
        try:
            sent = services.resources_publish(resources=list(queryset), actor=request.user)
        except services.EventError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return
        self.message_user(request, _("Published; %(count)d registrant(s) told by email.") % {"count": sent})
