from grappe.views.home import home

__all__ = ["home"]
