"""The knowledge base: YAML files in `knowledge/`, loaded and checked with file and line."""

from lotsen.kb.loader import KnowledgeBaseError, Problem, load_knowledge_base
from lotsen.kb.model import KnowledgeBase

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "Problem", "load_knowledge_base"]
