"""Upstream's `MODEL_COST`: credits one model call costs when a node runs on the platform's credentials.

Upstream now bills some models by tokens or by the provider's reported dollars;
our ledger charges before a block runs, so every model keeps upstream's flat
per-call price (see docs/ai-blocks.md).
"""

from __future__ import annotations

from apps.blocks.llm.models import MODEL_METADATA, LlmModel

M = LlmModel

# Credits per call on the platform's credentials. Models upstream has since dropped keep
# the price they had (gpt-3.5-turbo, claude-3-7-sonnet) or their successor's (gemini-3-pro-preview).
_ONE_CREDIT = {
    model for model in LlmModel if MODEL_METADATA[model].provider in ("aiml_api", "groq", "ollama", "llama_api")
}
MODEL_COST: dict[LlmModel, int] = {
    **dict.fromkeys(_ONE_CREDIT, 1),
    M.O3: 4,
    M.O3_MINI: 2,
    M.O1: 16,
    M.O1_MINI: 4,
    M.GPT5_2: 6,
    M.GPT5_1: 5,
    M.GPT5: 2,
    M.GPT5_MINI: 1,
    M.GPT5_NANO: 1,
    M.GPT5_CHAT: 5,
    M.GPT41: 2,
    M.GPT41_MINI: 1,
    M.GPT4O_MINI: 1,
    M.GPT4O: 3,
    M.GPT4_TURBO: 10,
    M.GPT3_5_TURBO: 1,
    M.CLAUDE_4_1_OPUS: 21,
    M.CLAUDE_4_OPUS: 21,
    M.CLAUDE_4_SONNET: 5,
    M.CLAUDE_4_6_OPUS: 14,
    M.CLAUDE_4_7_OPUS: 14,
    M.CLAUDE_4_6_SONNET: 9,
    M.CLAUDE_4_5_HAIKU: 4,
    M.CLAUDE_4_5_OPUS: 14,
    M.CLAUDE_4_5_SONNET: 9,
    M.CLAUDE_3_7_SONNET: 5,
    M.CLAUDE_3_HAIKU: 1,
    M.OPENAI_GPT_OSS_120B: 1,
    M.OPENAI_GPT_OSS_20B: 1,
    M.GEMINI_2_5_PRO_PREVIEW: 4,
    M.GEMINI_2_5_PRO: 4,
    M.GEMINI_3_PRO_PREVIEW: 5,
    M.GEMINI_3_1_PRO_PREVIEW: 5,
    M.GEMINI_3_FLASH_PREVIEW: 2,
    M.GEMINI_2_5_FLASH: 1,
    M.GEMINI_2_0_FLASH: 1,
    M.GEMINI_3_1_FLASH_LITE_PREVIEW: 1,
    M.GEMINI_2_5_FLASH_LITE_PREVIEW: 1,
    M.GEMINI_2_0_FLASH_LITE: 1,
    M.MISTRAL_NEMO: 1,
    M.MISTRAL_LARGE_3: 2,
    M.MISTRAL_MEDIUM_3_1: 2,
    M.MISTRAL_SMALL_3_2: 1,
    M.CODESTRAL: 1,
    M.COHERE_COMMAND_R_08_2024: 1,
    M.COHERE_COMMAND_R_PLUS_08_2024: 3,
    M.COHERE_COMMAND_A_03_2025: 3,
    M.COHERE_COMMAND_A_TRANSLATE_08_2025: 3,
    M.COHERE_COMMAND_A_REASONING_08_2025: 6,
    M.COHERE_COMMAND_A_VISION_07_2025: 3,
    M.DEEPSEEK_CHAT: 2,
    M.DEEPSEEK_R1_0528: 1,
    M.PERPLEXITY_SONAR: 1,
    M.PERPLEXITY_SONAR_PRO: 5,
    M.PERPLEXITY_SONAR_REASONING_PRO: 5,
    M.PERPLEXITY_SONAR_DEEP_RESEARCH: 10,
    M.NOUSRESEARCH_HERMES_3_LLAMA_3_1_405B: 1,
    M.NOUSRESEARCH_HERMES_3_LLAMA_3_1_70B: 1,
    M.AMAZON_NOVA_LITE_V1: 1,
    M.AMAZON_NOVA_MICRO_V1: 1,
    M.AMAZON_NOVA_PRO_V1: 1,
    M.MICROSOFT_WIZARDLM_2_8X22B: 1,
    M.MICROSOFT_PHI_4: 1,
    M.GRYPHE_MYTHOMAX_L2_13B: 1,
    M.META_LLAMA_4_SCOUT: 1,
    M.META_LLAMA_4_MAVERICK: 1,
    M.GROK_3: 3,
    M.GROK_4: 9,
    M.GROK_4_FAST: 1,
    M.GROK_4_1_FAST: 1,
    M.GROK_4_20: 5,
    M.GROK_4_20_MULTI_AGENT: 5,
    M.GROK_CODE_FAST_1: 1,
    M.KIMI_K2: 1,
    M.KIMI_K2_0905: 1,
    M.KIMI_K2_5: 1,
    M.KIMI_K2_6: 2,
    M.KIMI_K2_THINKING: 2,
    M.QWEN3_235B_A22B_THINKING: 1,
    M.QWEN3_CODER: 9,
    M.ZAI_GLM_4_32B: 1,
    M.ZAI_GLM_4_5: 2,
    M.ZAI_GLM_4_5_AIR: 1,
    M.ZAI_GLM_4_5_AIR_FREE: 1,
    M.ZAI_GLM_4_5V: 2,
    M.ZAI_GLM_4_6: 1,
    M.ZAI_GLM_4_6V: 1,
    M.ZAI_GLM_4_7: 1,
    M.ZAI_GLM_4_7_FLASH: 1,
    M.ZAI_GLM_5: 2,
    M.ZAI_GLM_5_TURBO: 4,
    M.ZAI_GLM_5V_TURBO: 4,
    M.V0_1_5_MD: 1,
    M.V0_1_5_LG: 2,
    M.V0_1_0_MD: 1,
}

_unpriced = [model for model in LlmModel if model not in MODEL_COST]
if _unpriced:
    raise ValueError(f"Models without a price: {_unpriced}")
