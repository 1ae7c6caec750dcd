"""The blog post's consumers.py, unchanged but for formatting."""
import json
import logging

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

common_log = logging.getLogger("django")


class InformConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group_name = "yunbo_inform"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        text_data_json = json.loads(text_data)
        message = text_data_json["message"]
        await self.channel_layer.group_send(self.group_name, {"type": "web_update_inform", "message": message})

    async def web_update_inform(self, event):
        """网站更新消息发送"""
        func = event["func"]
        username = event["username"]
        article = event["article"]
        head_image = event["head_image"]
        trigger_username = event["trigger_username"]
        message = {
            "func": func,
            "username": username,
            "article": article,
            "head_image": head_image,
            "trigger_username": trigger_username,
        }
        await self.send(text_data=json.dumps(message))


def send_inform(func, username, article, head_image, trigger_username=None, group_name=None):
    """从外部发送消息到channels"""
    if group_name == None:  # noqa: E711 (the post's code)
        group_name = "yunbo_inform"
    channel_layer = get_channel_layer()
    async_to_sync(channel_layer.group_send)(
        group_name,
        {
            "type": "web_update_inform",
            "func": func,
            "username": username,
            "article": article,
            "head_image": head_image,
            "trigger_username": trigger_username,
        },
    )
