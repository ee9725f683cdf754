//! Agents and items call kinds: round trips and stateless limits.
