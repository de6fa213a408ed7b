"""The choices of revid.ai's video blocks, under upstream's names and values, with revid's ids for them.

Exported agents store the values ("Bladerunner 2049", "Brian", "movingImage"); revid is sent
the track's audio URL, the voice's ElevenLabs id and the preset's member name.
"""

from __future__ import annotations

import enum


class AudioTrack(enum.StrEnum):
    OBSERVER = "Observer"
    FUTURISTIC_BEAT = "Futuristic Beat"
    SCIENCE_DOCUMENTARY = "Science Documentary"
    HOTLINE = "Hotline"
    BLADERUNNER_2049 = "Bladerunner 2049"
    A_FUTURE = "A Future"
    ELYSIAN_EMBERS = "Elysian Embers"
    INSPIRING_CINEMATIC = "Inspiring Cinematic"
    BLADERUNNER_REMIX = "Bladerunner Remix"
    IZZAMUZZIC = "Izzamuzzic"
    NAS = "Nas"
    PARIS_ELSE = "Paris - Else"
    SNOWFALL = "Snowfall"
    BURLESQUE = "Burlesque"
    CORNY_CANDY = "Corny Candy"
    HIGHWAY_NOCTURNE = "Highway Nocturne"
    I_DONT_THINK_SO = "I Don't Think So"
    LOSING_YOUR_MARBLES = "Losing Your Marbles"
    REFRESHER = "Refresher"
    TOURIST = "Tourist"
    TWIN_TYCHES = "Twin Tyches"
    DONT_STOP_ME_ABSTRACT_FUTURE_BASS = "Dont Stop Me Abstract Future Bass"

    @property
    def audio_url(self) -> str:
        return AUDIO_URLS[self]


# revid's own CDN paths, spelling included ("twin-tynches").
AUDIO_URLS = {
    AudioTrack.OBSERVER: "https://cdn.tfrv.xyz/audio/observer.mp3",
    AudioTrack.FUTURISTIC_BEAT: "https://cdn.tfrv.xyz/audio/_futuristic-beat.mp3",
    AudioTrack.SCIENCE_DOCUMENTARY: "https://cdn.tfrv.xyz/audio/_science-documentary.mp3",
    AudioTrack.HOTLINE: "https://cdn.tfrv.xyz/audio/_hotline.mp3",
    AudioTrack.BLADERUNNER_2049: "https://cdn.tfrv.xyz/audio/_bladerunner-2049.mp3",
    AudioTrack.A_FUTURE: "https://cdn.tfrv.xyz/audio/a-future.mp3",
    AudioTrack.ELYSIAN_EMBERS: "https://cdn.tfrv.xyz/audio/elysian-embers.mp3",
    AudioTrack.INSPIRING_CINEMATIC: "https://cdn.tfrv.xyz/audio/inspiring-cinematic-ambient.mp3",
    AudioTrack.BLADERUNNER_REMIX: "https://cdn.tfrv.xyz/audio/bladerunner-remix.mp3",
    AudioTrack.IZZAMUZZIC: "https://cdn.tfrv.xyz/audio/_izzamuzzic.mp3",
    AudioTrack.NAS: "https://cdn.tfrv.xyz/audio/_nas.mp3",
    AudioTrack.PARIS_ELSE: "https://cdn.tfrv.xyz/audio/_paris-else.mp3",
    AudioTrack.SNOWFALL: "https://cdn.tfrv.xyz/audio/_snowfall.mp3",
    AudioTrack.BURLESQUE: "https://cdn.tfrv.xyz/audio/burlesque.mp3",
    AudioTrack.CORNY_CANDY: "https://cdn.tfrv.xyz/audio/corny-candy.mp3",
    AudioTrack.HIGHWAY_NOCTURNE: "https://cdn.tfrv.xyz/audio/highway-nocturne.mp3",
    AudioTrack.I_DONT_THINK_SO: "https://cdn.tfrv.xyz/audio/i-dont-think-so.mp3",
    AudioTrack.LOSING_YOUR_MARBLES: "https://cdn.tfrv.xyz/audio/losing-your-marbles.mp3",
    AudioTrack.REFRESHER: "https://cdn.tfrv.xyz/audio/refresher.mp3",
    AudioTrack.TOURIST: "https://cdn.tfrv.xyz/audio/tourist.mp3",
    AudioTrack.TWIN_TYCHES: "https://cdn.tfrv.xyz/audio/twin-tynches.mp3",
    AudioTrack.DONT_STOP_ME_ABSTRACT_FUTURE_BASS: "https://cdn.revid.ai/audio/_dont-stop-me-abstract-future-bass.mp3",
}


class GenerationPreset(enum.StrEnum):
    LEONARDO = "Default"
    ANIME = "Anime"
    REALISM = "Realist"
    ILLUSTRATION = "Illustration"
    SKETCH_COLOR = "Sketch Color"
    SKETCH_BW = "Sketch B&W"
    PIXAR = "Pixar"
    INK = "Japanese Ink"
    RENDER_3D = "3D Render"
    LEGO = "Lego"
    SCIFI = "Sci-Fi"
    RECRO_CARTOON = "Retro Cartoon"
    PIXEL_ART = "Pixel Art"
    CREATIVE = "Creative"
    PHOTOGRAPHY = "Photography"
    RAYTRACED = "Raytraced"
    ENVIRONMENT = "Environment"
    FANTASY = "Fantasy"
    ANIME_SR = "Anime Realism"
    MOVIE = "Movie"
    STYLIZED_ILLUSTRATION = "Stylized Illustration"
    MANGA = "Manga"
    DEFAULT = "DEFAULT"


class Voice(enum.StrEnum):
    LILY = "Lily"
    DANIEL = "Daniel"
    BRIAN = "Brian"
    JESSICA = "Jessica"
    CHARLOTTE = "Charlotte"
    CALLUM = "Callum"
    EVA = "Eva"

    @property
    def voice_id(self) -> str:
        return VOICE_IDS[self]


# The ElevenLabs voices revid narrates with.
VOICE_IDS = {
    Voice.LILY: "pFZP5JQG7iQjIQuC4Bku",
    Voice.DANIEL: "onwK4e9ZLuTAKqWW03F9",
    Voice.BRIAN: "nPczCjzI2devNBz1zQrb",
    Voice.JESSICA: "cgSgspJ2msm6clMCkdW9",
    Voice.CHARLOTTE: "XB0fDUnXU5powFXDhCwa",
    Voice.CALLUM: "N2lVS1w4EtoT3dr4eOWO",
    Voice.EVA: "FGY2WhTYpPnrIDTdsKH5",
}


class VisualMediaType(enum.StrEnum):
    STOCK_VIDEOS = "stockVideo"
    MOVING_AI_IMAGES = "movingImage"
    AI_VIDEO = "aiVideo"
