"""Following up friendships: scheduled check-ins answered through personal links."""
