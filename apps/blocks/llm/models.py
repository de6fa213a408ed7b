"""Upstream's `LlmModel` values, their metadata and their credit prices.

Every model an exported AutoGPT agent may name resolves here: the table is the
union of the models upstream listed when the fixture agents were exported and
the ones it lists now. A model's provider says which endpoint and SDK serve it
and which credentials a graph asks for (the credentials field's discriminator
mapping). Prices are in `prices.py`.
"""

from __future__ import annotations

import enum
from typing import Any, Literal, NamedTuple

from pydantic import GetJsonSchemaHandler
from pydantic_core import CoreSchema


class ModelMetadata(NamedTuple):
    provider: str
    context_window: int
    max_output_tokens: int | None
    display_name: str
    provider_name: str
    creator_name: str
    price_tier: Literal[1, 2, 3]


class LlmModel(enum.StrEnum):
    # OpenAI
    O3_MINI = "o3-mini"
    O3 = "o3-2025-04-16"
    O1 = "o1"
    O1_MINI = "o1-mini"
    GPT5_2 = "gpt-5.2-2025-12-11"
    GPT5_1 = "gpt-5.1-2025-11-13"
    GPT5 = "gpt-5-2025-08-07"
    GPT5_MINI = "gpt-5-mini-2025-08-07"
    GPT5_NANO = "gpt-5-nano-2025-08-07"
    GPT5_CHAT = "gpt-5-chat-latest"
    GPT41 = "gpt-4.1-2025-04-14"
    GPT41_MINI = "gpt-4.1-mini-2025-04-14"
    GPT4O_MINI = "gpt-4o-mini"
    GPT4O = "gpt-4o"
    GPT4_TURBO = "gpt-4-turbo"
    GPT3_5_TURBO = "gpt-3.5-turbo"
    # Anthropic
    CLAUDE_4_1_OPUS = "claude-opus-4-1-20250805"
    CLAUDE_4_OPUS = "claude-opus-4-20250514"
    CLAUDE_4_SONNET = "claude-sonnet-4-20250514"
    CLAUDE_4_5_OPUS = "claude-opus-4-5-20251101"
    CLAUDE_4_5_SONNET = "claude-sonnet-4-5-20250929"
    CLAUDE_4_5_HAIKU = "claude-haiku-4-5-20251001"
    CLAUDE_4_6_OPUS = "claude-opus-4-6"
    CLAUDE_4_7_OPUS = "claude-opus-4-7"
    CLAUDE_4_6_SONNET = "claude-sonnet-4-6"
    CLAUDE_3_7_SONNET = "claude-3-7-sonnet-20250219"
    CLAUDE_3_HAIKU = "claude-3-haiku-20240307"
    # AI/ML API
    AIML_API_QWEN2_5_72B = "Qwen/Qwen2.5-72B-Instruct-Turbo"
    AIML_API_LLAMA3_1_70B = "nvidia/llama-3.1-nemotron-70b-instruct"
    AIML_API_LLAMA3_3_70B = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    AIML_API_META_LLAMA_3_1_70B = "meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo"
    AIML_API_LLAMA_3_2_3B = "meta-llama/Llama-3.2-3B-Instruct-Turbo"
    # Groq
    LLAMA3_3_70B = "llama-3.3-70b-versatile"
    LLAMA3_1_8B = "llama-3.1-8b-instant"
    # Ollama
    OLLAMA_LLAMA3_3 = "llama3.3"
    OLLAMA_LLAMA3_2 = "llama3.2"
    OLLAMA_LLAMA3_8B = "llama3"
    OLLAMA_LLAMA3_405B = "llama3.1:405b"
    OLLAMA_DOLPHIN = "dolphin-mistral:latest"
    # OpenRouter
    OPENAI_GPT_OSS_120B = "openai/gpt-oss-120b"
    OPENAI_GPT_OSS_20B = "openai/gpt-oss-20b"
    GEMINI_2_5_PRO_PREVIEW = "google/gemini-2.5-pro-preview-03-25"
    GEMINI_2_5_PRO = "google/gemini-2.5-pro"
    GEMINI_3_PRO_PREVIEW = "google/gemini-3-pro-preview"
    GEMINI_3_1_PRO_PREVIEW = "google/gemini-3.1-pro-preview"
    GEMINI_3_FLASH_PREVIEW = "google/gemini-3-flash-preview"
    GEMINI_2_5_FLASH = "google/gemini-2.5-flash"
    GEMINI_2_0_FLASH = "google/gemini-2.0-flash-001"
    GEMINI_3_1_FLASH_LITE_PREVIEW = "google/gemini-3.1-flash-lite-preview"
    GEMINI_2_5_FLASH_LITE_PREVIEW = "google/gemini-2.5-flash-lite-preview-06-17"
    GEMINI_2_0_FLASH_LITE = "google/gemini-2.0-flash-lite-001"
    MISTRAL_NEMO = "mistralai/mistral-nemo"
    MISTRAL_LARGE_3 = "mistralai/mistral-large-2512"
    MISTRAL_MEDIUM_3_1 = "mistralai/mistral-medium-3.1"
    MISTRAL_SMALL_3_2 = "mistralai/mistral-small-3.2-24b-instruct"
    CODESTRAL = "mistralai/codestral-2508"
    COHERE_COMMAND_R_08_2024 = "cohere/command-r-08-2024"
    COHERE_COMMAND_R_PLUS_08_2024 = "cohere/command-r-plus-08-2024"
    COHERE_COMMAND_A_03_2025 = "cohere/command-a-03-2025"
    COHERE_COMMAND_A_TRANSLATE_08_2025 = "cohere/command-a-translate-08-2025"
    COHERE_COMMAND_A_REASONING_08_2025 = "cohere/command-a-reasoning-08-2025"
    COHERE_COMMAND_A_VISION_07_2025 = "cohere/command-a-vision-07-2025"
    DEEPSEEK_CHAT = "deepseek/deepseek-chat"
    DEEPSEEK_R1_0528 = "deepseek/deepseek-r1-0528"
    PERPLEXITY_SONAR = "perplexity/sonar"
    PERPLEXITY_SONAR_PRO = "perplexity/sonar-pro"
    PERPLEXITY_SONAR_REASONING_PRO = "perplexity/sonar-reasoning-pro"
    PERPLEXITY_SONAR_DEEP_RESEARCH = "perplexity/sonar-deep-research"
    NOUSRESEARCH_HERMES_3_LLAMA_3_1_405B = "nousresearch/hermes-3-llama-3.1-405b"
    NOUSRESEARCH_HERMES_3_LLAMA_3_1_70B = "nousresearch/hermes-3-llama-3.1-70b"
    AMAZON_NOVA_LITE_V1 = "amazon/nova-lite-v1"
    AMAZON_NOVA_MICRO_V1 = "amazon/nova-micro-v1"
    AMAZON_NOVA_PRO_V1 = "amazon/nova-pro-v1"
    MICROSOFT_WIZARDLM_2_8X22B = "microsoft/wizardlm-2-8x22b"
    MICROSOFT_PHI_4 = "microsoft/phi-4"
    GRYPHE_MYTHOMAX_L2_13B = "gryphe/mythomax-l2-13b"
    META_LLAMA_4_SCOUT = "meta-llama/llama-4-scout"
    META_LLAMA_4_MAVERICK = "meta-llama/llama-4-maverick"
    GROK_3 = "x-ai/grok-3"
    GROK_4 = "x-ai/grok-4"
    GROK_4_FAST = "x-ai/grok-4-fast"
    GROK_4_1_FAST = "x-ai/grok-4.1-fast"
    GROK_4_20 = "x-ai/grok-4.20"
    GROK_4_20_MULTI_AGENT = "x-ai/grok-4.20-multi-agent"
    GROK_CODE_FAST_1 = "x-ai/grok-code-fast-1"
    KIMI_K2 = "moonshotai/kimi-k2"
    KIMI_K2_0905 = "moonshotai/kimi-k2-0905"
    KIMI_K2_5 = "moonshotai/kimi-k2.5"
    KIMI_K2_6 = "moonshotai/kimi-k2.6"
    KIMI_K2_THINKING = "moonshotai/kimi-k2-thinking"
    QWEN3_235B_A22B_THINKING = "qwen/qwen3-235b-a22b-thinking-2507"
    QWEN3_CODER = "qwen/qwen3-coder"
    ZAI_GLM_4_32B = "z-ai/glm-4-32b"
    ZAI_GLM_4_5 = "z-ai/glm-4.5"
    ZAI_GLM_4_5_AIR = "z-ai/glm-4.5-air"
    ZAI_GLM_4_5_AIR_FREE = "z-ai/glm-4.5-air:free"
    ZAI_GLM_4_5V = "z-ai/glm-4.5v"
    ZAI_GLM_4_6 = "z-ai/glm-4.6"
    ZAI_GLM_4_6V = "z-ai/glm-4.6v"
    ZAI_GLM_4_7 = "z-ai/glm-4.7"
    ZAI_GLM_4_7_FLASH = "z-ai/glm-4.7-flash"
    ZAI_GLM_5 = "z-ai/glm-5"
    ZAI_GLM_5_TURBO = "z-ai/glm-5-turbo"
    ZAI_GLM_5V_TURBO = "z-ai/glm-5v-turbo"
    # Llama API
    LLAMA_API_LLAMA_4_SCOUT = "Llama-4-Scout-17B-16E-Instruct-FP8"
    LLAMA_API_LLAMA4_MAVERICK = "Llama-4-Maverick-17B-128E-Instruct-FP8"
    LLAMA_API_LLAMA3_3_8B = "Llama-3.3-8B-Instruct"
    LLAMA_API_LLAMA3_3_70B = "Llama-3.3-70B-Instruct"
    # v0 by Vercel
    V0_1_5_MD = "v0-1.5-md"
    V0_1_5_LG = "v0-1.5-lg"
    V0_1_0_MD = "v0-1.0-md"

    @classmethod
    def _missing_(cls, value: object) -> LlmModel | None:
        """A provider-prefixed name (`anthropic/claude-sonnet-4-6`) resolves to the model, as upstream."""
        if isinstance(value, str) and "/" in value:
            try:
                return cls(value.split("/", 1)[1])
            except ValueError:
                return None
        return None

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        json_schema = dict(handler(schema))
        json_schema["llm_model"] = True
        json_schema["llm_model_metadata"] = {
            model.value: {
                "creator": model.metadata.creator_name,
                "creator_name": model.metadata.creator_name,
                "title": model.metadata.display_name,
                "provider": model.metadata.provider,
                "provider_name": model.metadata.provider_name,
                "name": model.value,
                "price_tier": model.metadata.price_tier,
            }
            for model in cls
        }
        return json_schema

    @property
    def metadata(self) -> ModelMetadata:
        return MODEL_METADATA[self]

    @property
    def provider(self) -> str:
        return self.metadata.provider

    @property
    def context_window(self) -> int:
        return self.metadata.context_window

    @property
    def max_output_tokens(self) -> int | None:
        return self.metadata.max_output_tokens


M = LlmModel


def _openai(context: int, output: int, title: str, tier: Literal[1, 2, 3]) -> ModelMetadata:
    return ModelMetadata("openai", context, output, title, "OpenAI", "OpenAI", tier)


def _anthropic(output: int, title: str, tier: Literal[1, 2, 3]) -> ModelMetadata:
    return ModelMetadata("anthropic", 200000, output, title, "Anthropic", "Anthropic", tier)


def _router(context: int, output: int | None, title: str, creator: str, tier: Literal[1, 2, 3]) -> ModelMetadata:
    return ModelMetadata("open_router", context, output, title, "OpenRouter", creator, tier)


MODEL_METADATA: dict[LlmModel, ModelMetadata] = {
    M.O3: _openai(200000, 100000, "O3", 2),
    M.O3_MINI: _openai(200000, 100000, "O3 Mini", 1),
    M.O1: _openai(200000, 100000, "O1", 3),
    M.O1_MINI: _openai(128000, 65536, "O1 Mini", 2),
    M.GPT5_2: _openai(400000, 128000, "GPT-5.2", 3),
    M.GPT5_1: _openai(400000, 128000, "GPT-5.1", 2),
    M.GPT5: _openai(400000, 128000, "GPT-5", 1),
    M.GPT5_MINI: _openai(400000, 128000, "GPT-5 Mini", 1),
    M.GPT5_NANO: _openai(400000, 128000, "GPT-5 Nano", 1),
    M.GPT5_CHAT: _openai(400000, 16384, "GPT-5 Chat Latest", 2),
    M.GPT41: _openai(1047576, 32768, "GPT-4.1", 1),
    M.GPT41_MINI: _openai(1047576, 32768, "GPT-4.1 Mini", 1),
    M.GPT4O_MINI: _openai(128000, 16384, "GPT-4o Mini", 1),
    M.GPT4O: _openai(128000, 16384, "GPT-4o", 2),
    M.GPT4_TURBO: _openai(128000, 4096, "GPT-4 Turbo", 3),
    M.GPT3_5_TURBO: _openai(16385, 4096, "GPT-3.5 Turbo", 1),
    M.CLAUDE_4_1_OPUS: _anthropic(32000, "Claude Opus 4.1", 3),
    M.CLAUDE_4_OPUS: _anthropic(32000, "Claude Opus 4", 3),
    M.CLAUDE_4_SONNET: _anthropic(64000, "Claude Sonnet 4", 2),
    M.CLAUDE_4_6_OPUS: _anthropic(128000, "Claude Opus 4.6", 3),
    M.CLAUDE_4_7_OPUS: _anthropic(128000, "Claude Opus 4.7", 3),
    M.CLAUDE_4_6_SONNET: _anthropic(64000, "Claude Sonnet 4.6", 3),
    M.CLAUDE_4_5_OPUS: _anthropic(64000, "Claude Opus 4.5", 3),
    M.CLAUDE_4_5_SONNET: _anthropic(64000, "Claude Sonnet 4.5", 3),
    M.CLAUDE_4_5_HAIKU: _anthropic(64000, "Claude Haiku 4.5", 2),
    M.CLAUDE_3_7_SONNET: _anthropic(64000, "Claude 3.7 Sonnet", 2),
    M.CLAUDE_3_HAIKU: _anthropic(4096, "Claude 3 Haiku", 1),
    M.AIML_API_QWEN2_5_72B: ModelMetadata("aiml_api", 32000, 8000, "Qwen 2.5 72B Instruct Turbo", "AI/ML", "Qwen", 1),
    M.AIML_API_LLAMA3_1_70B: ModelMetadata(
        "aiml_api", 128000, 40000, "Llama 3.1 Nemotron 70B Instruct", "AI/ML", "Nvidia", 1
    ),
    M.AIML_API_LLAMA3_3_70B: ModelMetadata(
        "aiml_api", 128000, None, "Llama 3.3 70B Instruct Turbo", "AI/ML", "Meta", 1
    ),
    M.AIML_API_META_LLAMA_3_1_70B: ModelMetadata(
        "aiml_api", 131000, 2000, "Llama 3.1 70B Instruct Turbo", "AI/ML", "Meta", 1
    ),
    M.AIML_API_LLAMA_3_2_3B: ModelMetadata("aiml_api", 128000, None, "Llama 3.2 3B Instruct Turbo", "AI/ML", "Meta", 1),
    M.LLAMA3_3_70B: ModelMetadata("groq", 128000, 32768, "Llama 3.3 70B Versatile", "Groq", "Meta", 1),
    M.LLAMA3_1_8B: ModelMetadata("groq", 128000, 8192, "Llama 3.1 8B Instant", "Groq", "Meta", 1),
    M.OLLAMA_LLAMA3_3: ModelMetadata("ollama", 8192, None, "Llama 3.3", "Ollama", "Meta", 1),
    M.OLLAMA_LLAMA3_2: ModelMetadata("ollama", 8192, None, "Llama 3.2", "Ollama", "Meta", 1),
    M.OLLAMA_LLAMA3_8B: ModelMetadata("ollama", 8192, None, "Llama 3", "Ollama", "Meta", 1),
    M.OLLAMA_LLAMA3_405B: ModelMetadata("ollama", 8192, None, "Llama 3.1 405B", "Ollama", "Meta", 1),
    M.OLLAMA_DOLPHIN: ModelMetadata("ollama", 32768, None, "Dolphin Mistral Latest", "Ollama", "Mistral AI", 1),
    M.GEMINI_2_5_PRO_PREVIEW: _router(1048576, 65536, "Gemini 2.5 Pro Preview 03.25", "Google", 2),
    M.GEMINI_2_5_PRO: _router(1048576, 65536, "Gemini 2.5 Pro", "Google", 2),
    M.GEMINI_3_PRO_PREVIEW: _router(1048576, 65535, "Gemini 3 Pro Preview", "Google", 2),
    M.GEMINI_3_1_PRO_PREVIEW: _router(1048576, 65536, "Gemini 3.1 Pro Preview", "Google", 2),
    M.GEMINI_3_FLASH_PREVIEW: _router(1048576, 65536, "Gemini 3 Flash Preview", "Google", 1),
    M.GEMINI_2_5_FLASH: _router(1048576, 65535, "Gemini 2.5 Flash", "Google", 1),
    M.GEMINI_2_0_FLASH: _router(1048576, 8192, "Gemini 2.0 Flash 001", "Google", 1),
    M.GEMINI_3_1_FLASH_LITE_PREVIEW: _router(1048576, 65536, "Gemini 3.1 Flash Lite Preview", "Google", 1),
    M.GEMINI_2_5_FLASH_LITE_PREVIEW: _router(1048576, 65535, "Gemini 2.5 Flash Lite Preview 06.17", "Google", 1),
    M.GEMINI_2_0_FLASH_LITE: _router(1048576, 8192, "Gemini 2.0 Flash Lite 001", "Google", 1),
    M.MISTRAL_NEMO: _router(128000, 4096, "Mistral Nemo", "Mistral AI", 1),
    M.MISTRAL_LARGE_3: _router(262144, None, "Mistral Large 3 2512", "Mistral AI", 2),
    M.MISTRAL_MEDIUM_3_1: _router(131072, None, "Mistral Medium 3.1", "Mistral AI", 2),
    M.MISTRAL_SMALL_3_2: _router(131072, 131072, "Mistral Small 3.2 24B", "Mistral AI", 1),
    M.CODESTRAL: _router(256000, None, "Codestral 2508", "Mistral AI", 1),
    M.COHERE_COMMAND_R_08_2024: _router(128000, 4096, "Command R 08.2024", "Cohere", 1),
    M.COHERE_COMMAND_R_PLUS_08_2024: _router(128000, 4096, "Command R Plus 08.2024", "Cohere", 2),
    M.COHERE_COMMAND_A_03_2025: _router(256000, 8192, "Command A 03.2025", "Cohere", 2),
    M.COHERE_COMMAND_A_TRANSLATE_08_2025: _router(128000, 8192, "Command A Translate 08.2025", "Cohere", 2),
    M.COHERE_COMMAND_A_REASONING_08_2025: _router(256000, 32768, "Command A Reasoning 08.2025", "Cohere", 3),
    M.COHERE_COMMAND_A_VISION_07_2025: _router(128000, 8192, "Command A Vision 07.2025", "Cohere", 2),
    M.DEEPSEEK_CHAT: _router(64000, 2048, "DeepSeek Chat", "DeepSeek", 1),
    M.DEEPSEEK_R1_0528: _router(163840, 163840, "DeepSeek R1 0528", "DeepSeek", 1),
    M.PERPLEXITY_SONAR: _router(127000, 8000, "Sonar", "Perplexity", 1),
    M.PERPLEXITY_SONAR_PRO: _router(200000, 8000, "Sonar Pro", "Perplexity", 2),
    M.PERPLEXITY_SONAR_REASONING_PRO: _router(128000, 8000, "Sonar Reasoning Pro", "Perplexity", 2),
    M.PERPLEXITY_SONAR_DEEP_RESEARCH: _router(128000, 16000, "Sonar Deep Research", "Perplexity", 3),
    M.NOUSRESEARCH_HERMES_3_LLAMA_3_1_405B: _router(131000, 4096, "Hermes 3 Llama 3.1 405B", "Nous Research", 1),
    M.NOUSRESEARCH_HERMES_3_LLAMA_3_1_70B: _router(12288, 12288, "Hermes 3 Llama 3.1 70B", "Nous Research", 1),
    M.OPENAI_GPT_OSS_120B: _router(131072, 131072, "GPT-OSS 120B", "OpenAI", 1),
    M.OPENAI_GPT_OSS_20B: _router(131072, 32768, "GPT-OSS 20B", "OpenAI", 1),
    M.AMAZON_NOVA_LITE_V1: _router(300000, 5120, "Nova Lite V1", "Amazon", 1),
    M.AMAZON_NOVA_MICRO_V1: _router(128000, 5120, "Nova Micro V1", "Amazon", 1),
    M.AMAZON_NOVA_PRO_V1: _router(300000, 5120, "Nova Pro V1", "Amazon", 1),
    M.MICROSOFT_WIZARDLM_2_8X22B: _router(65536, 4096, "WizardLM 2 8x22B", "Microsoft", 1),
    M.MICROSOFT_PHI_4: _router(16384, 16384, "Phi-4", "Microsoft", 1),
    M.GRYPHE_MYTHOMAX_L2_13B: _router(4096, 4096, "MythoMax L2 13B", "Gryphe", 1),
    M.META_LLAMA_4_SCOUT: _router(131072, 131072, "Llama 4 Scout", "Meta", 1),
    M.META_LLAMA_4_MAVERICK: _router(1048576, 1000000, "Llama 4 Maverick", "Meta", 1),
    M.GROK_3: _router(131072, 131072, "Grok 3", "xAI", 2),
    M.GROK_4: _router(256000, 256000, "Grok 4", "xAI", 3),
    M.GROK_4_FAST: _router(2000000, 30000, "Grok 4 Fast", "xAI", 1),
    M.GROK_4_1_FAST: _router(2000000, 30000, "Grok 4.1 Fast", "xAI", 1),
    M.GROK_4_20: _router(2000000, 100000, "Grok 4.20", "xAI", 3),
    M.GROK_4_20_MULTI_AGENT: _router(2000000, 100000, "Grok 4.20 Multi-Agent", "xAI", 3),
    M.GROK_CODE_FAST_1: _router(256000, 10000, "Grok Code Fast 1", "xAI", 1),
    M.KIMI_K2: _router(131000, 131000, "Kimi K2", "Moonshot AI", 1),
    M.KIMI_K2_0905: _router(262144, 262144, "Kimi K2 0905", "Moonshot AI", 1),
    M.KIMI_K2_5: _router(262144, 262144, "Kimi K2.5", "Moonshot AI", 1),
    M.KIMI_K2_6: _router(262144, 262144, "Kimi K2.6", "Moonshot AI", 2),
    M.KIMI_K2_THINKING: _router(262144, 262144, "Kimi K2 Thinking", "Moonshot AI", 2),
    M.QWEN3_235B_A22B_THINKING: _router(262144, 262144, "Qwen 3 235B A22B Thinking 2507", "Qwen", 1),
    M.QWEN3_CODER: _router(262144, 262144, "Qwen 3 Coder", "Qwen", 3),
    M.ZAI_GLM_4_32B: _router(128000, 128000, "GLM 4 32B", "Z.ai", 1),
    M.ZAI_GLM_4_5: _router(131072, 98304, "GLM 4.5", "Z.ai", 2),
    M.ZAI_GLM_4_5_AIR: _router(131072, 98304, "GLM 4.5 Air", "Z.ai", 1),
    M.ZAI_GLM_4_5_AIR_FREE: _router(131072, 96000, "GLM 4.5 Air (Free)", "Z.ai", 1),
    M.ZAI_GLM_4_5V: _router(65536, 16384, "GLM 4.5V", "Z.ai", 2),
    M.ZAI_GLM_4_6: _router(204800, 204800, "GLM 4.6", "Z.ai", 1),
    M.ZAI_GLM_4_6V: _router(131072, 131072, "GLM 4.6V", "Z.ai", 1),
    M.ZAI_GLM_4_7: _router(202752, 65535, "GLM 4.7", "Z.ai", 1),
    M.ZAI_GLM_4_7_FLASH: _router(202752, 202752, "GLM 4.7 Flash", "Z.ai", 1),
    M.ZAI_GLM_5: _router(80000, 80000, "GLM 5", "Z.ai", 2),
    M.ZAI_GLM_5_TURBO: _router(202752, 131072, "GLM 5 Turbo", "Z.ai", 3),
    M.ZAI_GLM_5V_TURBO: _router(202752, 131072, "GLM 5V Turbo", "Z.ai", 3),
    M.LLAMA_API_LLAMA_4_SCOUT: ModelMetadata(
        "llama_api", 128000, 4028, "Llama 4 Scout 17B 16E Instruct FP8", "Llama API", "Meta", 1
    ),
    M.LLAMA_API_LLAMA4_MAVERICK: ModelMetadata(
        "llama_api", 128000, 4028, "Llama 4 Maverick 17B 128E Instruct FP8", "Llama API", "Meta", 1
    ),
    M.LLAMA_API_LLAMA3_3_8B: ModelMetadata("llama_api", 128000, 4028, "Llama 3.3 8B Instruct", "Llama API", "Meta", 1),
    M.LLAMA_API_LLAMA3_3_70B: ModelMetadata(
        "llama_api", 128000, 4028, "Llama 3.3 70B Instruct", "Llama API", "Meta", 1
    ),
    M.V0_1_5_MD: ModelMetadata("v0", 128000, 64000, "v0 1.5 MD", "V0", "V0", 1),
    M.V0_1_5_LG: ModelMetadata("v0", 512000, 64000, "v0 1.5 LG", "V0", "V0", 1),
    M.V0_1_0_MD: ModelMetadata("v0", 128000, 64000, "v0 1.0 MD", "V0", "V0", 1),
}

DEFAULT_LLM_MODEL = LlmModel.GPT5_2
LLM_PROVIDERS = tuple(sorted({metadata.provider for metadata in MODEL_METADATA.values()}))

_missing = [model for model in LlmModel if model not in MODEL_METADATA]
if _missing:
    raise ValueError(f"Models without metadata: {_missing}")
