"""Alipay (支付宝) for Bangyaer."""
