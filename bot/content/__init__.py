"""What the assistant says and where it sends people, as data: topics, menus, the
resource directory, content control.
"""
