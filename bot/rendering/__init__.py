"""From response key to text: gettext catalogs, the renderer (language, channel
variant, resources) and Rasa's NLG hook.
"""
