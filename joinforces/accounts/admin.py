from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_at", "granted_by"]
    readonly_fields = ["granted_at", "granted_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "roles_display", "is_active", "last_login"]
    list_filter = ["role_assignments__role", "is_active", "language"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language", "timezone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["is_staff", "last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments")

    @admin.display(description=_("roles"))
    def roles_display(self, obj):
        return ", ".join(obj.role_labels) or "—"

    def save_formset(self, request, form, formset, change):
        """Roles go through the services, so that every grant and revocation is audited."""
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            services.role_revoke(user=obj.user, role=obj.role, actor=request.user)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed() or inline_form.instance.pk:
                continue
            role = inline_form.cleaned_data.get("role")
            if role:
                services.role_grant(user=form.instance, role=role, actor=request.user)
                messages.info(request, _("Role granted: %(role)s") % {"role": inline_form.instance.get_role_display()})
